import { ExpenseStatus, type RoutingDecision } from '@countersign/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { settlementOf, withdrawalEnds } from './routing-outcome.js';

const at = new Date('2026-11-24T12:00:00.000Z');
const base = {
  policy: {
    id: '0197a000-0000-7000-8000-000000000201',
    name: 'Office',
    category: 'office',
    version: 3,
  },
  submitter: {
    id: '0197a000-0000-7000-8000-000000000107',
    name: 'Grace Taylor',
    team_id: '0197a000-0000-7000-8000-000000000301',
  },
};
const step = {
  step: 1,
  approver_id: '0197a000-0000-7000-8000-000000000106',
  approver_name: 'Frank Miller',
  level_number: 6,
  level_name: 'Manager',
  required: true,
  required_level: 6,
  team_scope: 'submitter' as const,
};

describe('settlementOf: how a routing decision leaves the expense', () => {
  it('a chain leaves it pending, with nothing settled', () => {
    const routed: RoutingDecision = { ...base, chain: [step] };
    expect(settlementOf(routed, at)).toEqual({
      status: 'pending',
      completedAt: null,
      refusalReason: null,
    });
    expect(settlementOf({ ...routed, outcome: 'require_approval' }, at).status).toBe('pending');
  });

  it('a rule that approves settles it approved at once', () => {
    expect(settlementOf({ ...base, chain: [], outcome: 'auto_approve' }, at)).toEqual({
      status: 'approved',
      completedAt: at,
      refusalReason: null,
    });
  });

  it('a rule that blocks settles it blocked at once, with the rule’s reason', () => {
    const blocked: RoutingDecision = {
      ...base,
      chain: [],
      outcome: 'block',
      block: { reason: 'needs a purchase order', rule: { index: 0, priority: 1 } },
    };
    expect(settlementOf(blocked, at)).toEqual({
      status: 'blocked',
      completedAt: at,
      refusalReason: 'needs a purchase order',
    });
  });
});

describe('withdrawalEnds: a withdrawal the approval service announced', () => {
  it('ends an expense pending or sent back, whatever its round', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('pending' as const, 'sent_back' as const),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 50 }),
        (status, round, withdrawnRound) => withdrawalEnds({ status, round }, withdrawnRound),
      ),
    );
  });

  it('ends one a rule approved or blocked only at a resubmission after the withdrawn round', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('approved' as const, 'blocked' as const),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 50 }),
        (status, round, withdrawnRound) =>
          withdrawalEnds({ status, round }, withdrawnRound) === round > withdrawnRound,
      ),
    );
  });

  it('never touches a draft, or an expense rejected, refused, already withdrawn or paid', () => {
    const final = ExpenseStatus.options.filter(
      (s) => !['pending', 'sent_back', 'approved', 'blocked'].includes(s),
    );
    expect(final).toEqual(['draft', 'rejected', 'refused', 'withdrawn', 'paid']);
    for (const status of final) {
      for (const [round, withdrawnRound] of [
        [1, 1],
        [3, 1],
        [1, 3],
      ] as const) {
        expect(withdrawalEnds({ status, round }, withdrawnRound)).toBe(false);
      }
    }
  });
});
