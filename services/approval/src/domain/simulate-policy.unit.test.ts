import type { PolicyRule } from '@countersign/contracts';
import type { Person } from '@countersign/routing';
import { describe, expect, it } from 'vitest';
import { type PastRoute, simulatePolicy } from './simulate-policy.js';

const team = 'team-tech';
const person = (id: string, levelNumber: number): Person => ({
  id,
  name: id,
  teamId: team,
  levelNumber,
  levelName: `L${levelNumber}`,
  active: true,
  role: 'manager',
  managerId: null,
});
const people = [person('eve', 5), person('frank', 6), person('grace', 7)];
const past = (
  expenseId: string,
  amount: string,
  approverIds: string[],
  day: number,
): PastRoute => ({
  expenseId,
  amount,
  category: 'travel',
  submittedAt: new Date(Date.UTC(2026, 10, day)),
  workspaceId: null,
  submitter: { id: 'grace', teamId: team, levelNumber: 7, role: 'employee' },
  approverIds,
});
const level = (n: number): PolicyRule['action'] => ({
  type: 'require_approval',
  steps: [{ approver: { by: 'level', level: n, scope: 'submitter_team' }, required: true }],
});
const draft: PolicyRule[] = [
  {
    priority: 1,
    condition: { field: 'amount', op: 'lt', value: '50' },
    action: { type: 'auto_approve' },
  },
  {
    priority: 2,
    condition: { field: 'amount', op: 'gt', value: '150' },
    action: { type: 'block', reason: 'too much' },
  },
  { priority: 3, condition: { field: 'amount', op: 'gte', value: '100' }, action: level(5) },
  { priority: 4, condition: { field: 'amount', op: 'gte', value: '0' }, action: level(6) },
];

describe('simulatePolicy', () => {
  const routes = [
    past('a', '10.10', ['frank'], 1),
    past('b', '0.20', ['frank'], 2),
    past('c', '60.00', ['frank'], 3),
    past('d', '120.00', ['frank'], 4),
    past('e', '200.00', ['frank'], 5),
    past('f', '30.00', [], 6),
  ];

  it('tallies each verdict with exact sums and lists what changes, newest first', () => {
    const report = simulatePolicy(draft, routes, people);
    expect(report.considered).toBe(6);
    expect(report.same_route).toEqual({ count: 2, amount: '90.00' });
    expect(report.newly_auto_approved).toEqual({ count: 2, amount: '10.30' });
    expect(report.different_route).toEqual({ count: 1, amount: '120.00' });
    expect(report.newly_blocked).toEqual({ count: 1, amount: '200.00' });
    expect(report.no_longer_routable).toEqual({ count: 0, amount: '0.00' });
    expect(report.changed.map((c) => c.expense_id)).toEqual(['e', 'd', 'b', 'a']);
    expect(report.changed[1]?.draft).toEqual({
      outcome: 'require_approval',
      approver_ids: ['eve'],
      reason: null,
    });
  });

  it('counts expenses a draft could not route', () => {
    const nothing: PolicyRule[] = [
      { priority: 1, condition: { field: 'amount', op: 'gt', value: '1000' }, action: level(6) },
    ];
    const report = simulatePolicy(nothing, routes.slice(0, 2), people);
    expect(report.no_longer_routable).toEqual({ count: 2, amount: '10.30' });
    const nobody = simulatePolicy(
      [
        {
          ...nothing[0],
          condition: { field: 'amount', op: 'gte', value: '0' },
          action: level(2),
        } as PolicyRule,
      ],
      routes.slice(0, 1),
      people,
    );
    expect(nobody.changed[0]?.draft.outcome).toBe('no_approver');
  });

  it('knows a blocked expense was blocked: blocked again is the same route, anything else a change', () => {
    const blocked: PastRoute = { ...past('g', '400.00', [], 7), block: { reason: 'too much' } };
    const report = simulatePolicy(draft, [blocked], people);
    expect(report.same_route).toEqual({ count: 1, amount: '400.00' });
    expect(report.newly_blocked.count).toBe(0);
    expect(report.changed).toEqual([]);
    const approvedByDraft = simulatePolicy(
      [{ priority: 1, condition: { field: 'amount', op: 'gte', value: '0' }, action: level(6) }],
      [blocked],
      people,
    );
    expect(approvedByDraft.different_route.count).toBe(1);
    expect(approvedByDraft.changed[0]?.current).toEqual({
      outcome: 'block',
      approver_ids: [],
      reason: 'too much',
    });
    const autoByDraft = simulatePolicy(
      [
        {
          priority: 1,
          condition: { field: 'amount', op: 'gte', value: '0' },
          action: { type: 'auto_approve' },
        },
      ],
      [blocked],
      people,
    );
    expect(autoByDraft.newly_auto_approved.count).toBe(1);
  });
});
