import type { PolicyRule } from '@countersign/contracts';
import { describe, expect, it } from 'vitest';
import { bandRules } from './band-rules.js';
import type { Person } from './org.js';
import { evaluateRoute, planRoute, reachesWholeCompany } from './plan-route.js';
import type { VersionedPolicy } from './select-policy.js';

const team = 'team-a';
const person = (id: string, levelNumber: number, extra: Partial<Person> = {}): Person => ({
  id,
  name: id,
  teamId: team,
  levelNumber,
  levelName: `L${levelNumber}`,
  active: true,
  role: 'employee',
  ...extra,
});
const grace = person('grace', 7);
const people = [grace, person('frank', 6), person('dana', 3, { teamId: 'team-b' })];
const policy = (id: string, rules: PolicyRule[]): VersionedPolicy => ({
  id,
  name: id,
  category: 'equipment',
  active: true,
  version: 3,
  rules,
});
const byTeamManager = policy(
  'small',
  bandRules('small', '0.00', '999.99', [
    { requiredLevel: 6, teamScope: 'submitter', required: true },
  ]),
);
const blocking = policy('blocking', [
  {
    priority: 1,
    description: 'no gadgets',
    condition: { field: 'amount', op: 'gt', value: '0' },
    action: { type: 'block', reason: 'gadgets are not reimbursed' },
  },
]);
const companyWide = policy(
  'wide',
  bandRules('wide', '0.00', null, [{ requiredLevel: 3, teamScope: 'company', required: true }]),
);

describe('planRoute: the whole route, computed once', () => {
  it('decides the chain and carries the rule trace the explanation is made of', () => {
    const route = evaluateRoute([byTeamManager], grace, { policy_id: 'small', amount: '80.00' });
    expect(reachesWholeCompany(route)).toBe(false);
    const plan = planRoute(route, people);
    expect(plan.outcome).toBe('require_approval');
    expect(plan.decision.chain.map((s) => s.approver_id)).toEqual(['frank']);
    expect(plan.decision.policy).toEqual({
      id: 'small',
      name: 'small',
      category: 'equipment',
      version: 3,
    });
    const { steps, ...rules } = plan.explanation;
    expect(plan.decision.rule_trace).toEqual(rules);
    expect(steps.map((s) => s.approver_id)).toEqual(['frank']);
  });

  it('returns a block as an outcome with its reason and rule, traced', () => {
    const plan = planRoute(
      evaluateRoute([blocking], grace, { policy_id: 'blocking', amount: '5.00' }),
      people,
    );
    expect(plan).toMatchObject({ outcome: 'block', reason: 'gadgets are not reimbursed' });
    expect(plan.decision).toMatchObject({
      chain: [],
      outcome: 'block',
      block: { reason: 'gadgets are not reimbursed', rule: { index: 0, priority: 1 } },
      rule_trace: { outcome: 'block', block_reason: 'gadgets are not reimbursed' },
    });
  });

  it('reads the whole company only when a step reaches beyond the team', () => {
    const route = evaluateRoute([companyWide], grace, { policy_id: 'wide', amount: '5.00' });
    expect(reachesWholeCompany(route)).toBe(true);
    expect(planRoute(route, people).decision.chain.map((s) => s.approver_id)).toEqual(['dana']);
  });

  it('refuses an unknown or inactive submitter (forbidden) and nobody eligible (unprocessable)', () => {
    const request = { policy_id: 'small', amount: '80.00' };
    expect(() => evaluateRoute([byTeamManager], undefined, request)).toThrow(
      expect.objectContaining({ code: 'forbidden' }),
    );
    expect(() => evaluateRoute([byTeamManager], { ...grace, active: false }, request)).toThrow(
      expect.objectContaining({ code: 'forbidden' }),
    );
    const route = evaluateRoute([byTeamManager], grace, request);
    expect(() => planRoute(route, [grace, person('frank', 6, { active: false })])).toThrow(
      expect.objectContaining({ code: 'unprocessable', type: 'no-eligible-approver' }),
    );
  });
});
