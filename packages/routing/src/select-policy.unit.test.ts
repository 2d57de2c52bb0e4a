import { describe, expect, it } from 'vitest';
import { bandRules } from './band-rules.js';
import type { ExpenseFacts } from './evaluate-policy.js';
import { selectPolicy, type VersionedPolicy } from './select-policy.js';

const manager = [{ requiredLevel: 6, teamScope: 'submitter' as const, required: true }];
const policy = (
  id: string,
  category: string,
  minAmount: string,
  maxAmount: string | null,
): VersionedPolicy => ({
  id,
  name: id,
  category,
  active: true,
  version: 1,
  rules: bandRules(id, minAmount, maxAmount, manager),
});
const policies = [
  policy('small', 'equipment', '0.00', '1999.99'),
  policy('large', 'equipment', '2000.00', null),
  policy('travel', 'travel', '0.00', null),
];
const facts = (amount: string): Omit<ExpenseFacts, 'category'> => ({
  amount,
  currency: 'USD',
  vendor: undefined,
  workspaceId: undefined,
  receiptPresent: false,
  submitter: { teamId: 't', levelNumber: 7, role: 'employee' },
});

describe('selectPolicy', () => {
  it('picks by category and amount band, edges included', () => {
    const pick = (category: string, amount: string) =>
      selectPolicy(policies, { category }, facts(amount)).policy.id;
    expect(pick('equipment', '1999.99')).toBe('small');
    expect(pick('equipment', '2000.00')).toBe('large');
    expect(pick('Travel', '5.00')).toBe('travel');
  });

  it('accepts a named policy one of whose rules decides, and reports the rule', () => {
    const routed = selectPolicy(policies, { policyId: 'small' }, facts('800.00'));
    expect(routed.policy.id).toBe('small');
    expect(routed.evaluation.decidingRule).toMatchObject({ index: 0, priority: 1 });
  });

  it('refuses an amount outside the named policy with 422', () => {
    expect(() => selectPolicy(policies, { policyId: 'small' }, facts('4000.00'))).toThrow(
      expect.objectContaining({ code: 'unprocessable', type: 'amount-out-of-range' }),
    );
  });

  it('answers 404 for an unknown or inactive policy and an unknown category', () => {
    expect(() => selectPolicy(policies, { policyId: 'nope' }, facts('1.00'))).toThrow(
      expect.objectContaining({ code: 'not-found' }),
    );
    const inactive = [{ ...policy('small', 'equipment', '0.00', null), active: false }];
    expect(() => selectPolicy(inactive, { policyId: 'small' }, facts('1.00'))).toThrow(
      expect.objectContaining({ code: 'not-found' }),
    );
    expect(() => selectPolicy(policies, { category: 'food' }, facts('1.00'))).toThrow(
      expect.objectContaining({ code: 'not-found' }),
    );
  });

  it('refuses a named policy of another category than the one sent', () => {
    expect(() =>
      selectPolicy(policies, { policyId: 'travel', category: 'equipment' }, facts('1.00')),
    ).toThrow(expect.objectContaining({ code: 'unprocessable', type: 'category-mismatch' }));
  });

  it('returns a block as the decision, not as a miss', () => {
    const blocking: VersionedPolicy = {
      ...policy('strict', 'meals', '0.00', null),
      rules: [
        {
          priority: 1,
          condition: { field: 'amount', op: 'gt', value: '100' },
          action: { type: 'block', reason: 'meals over 100 are not reimbursed' },
        },
      ],
    };
    const routed = selectPolicy([blocking], { category: 'meals' }, facts('150.00'));
    expect(routed.evaluation.outcome).toEqual({
      kind: 'block',
      reason: 'meals over 100 are not reimbursed',
    });
  });
});
