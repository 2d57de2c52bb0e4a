import { describe, expect, it } from 'vitest';
import type { Policy } from './org.js';
import { selectPolicy } from './select-policy.js';

const policy = (
  id: string,
  category: string,
  minAmount: string,
  maxAmount: string | null,
): Policy => ({
  id,
  name: id,
  category,
  minAmount,
  maxAmount,
  active: true,
  steps: [],
});
const policies = [
  policy('small', 'equipment', '0.00', '1999.99'),
  policy('large', 'equipment', '2000.00', null),
  policy('travel', 'travel', '0.00', null),
];

describe('selectPolicy', () => {
  it('picks by category and amount band, edges included', () => {
    expect(selectPolicy(policies, { category: 'equipment', amount: '1999.99' }).id).toBe('small');
    expect(selectPolicy(policies, { category: 'equipment', amount: '2000.00' }).id).toBe('large');
    expect(selectPolicy(policies, { category: 'Travel', amount: '5.00' }).id).toBe('travel');
  });

  it('accepts a named policy whose range holds the amount', () => {
    expect(selectPolicy(policies, { policyId: 'small', amount: '800.00' }).id).toBe('small');
  });

  it('refuses an amount outside the named policy with 422', () => {
    expect(() => selectPolicy(policies, { policyId: 'small', amount: '4000.00' })).toThrow(
      expect.objectContaining({ status: 422, code: 'amount-out-of-range' }),
    );
  });

  it('answers 404 for an unknown or inactive policy and an unknown category', () => {
    expect(() => selectPolicy(policies, { policyId: 'nope', amount: '1.00' })).toThrow(
      expect.objectContaining({ status: 404 }),
    );
    const inactive = [{ ...policy('small', 'equipment', '0.00', null), active: false }];
    expect(() => selectPolicy(inactive, { policyId: 'small', amount: '1.00' })).toThrow(
      expect.objectContaining({ status: 404 }),
    );
    expect(() => selectPolicy(policies, { category: 'food', amount: '1.00' })).toThrow(
      expect.objectContaining({ status: 404 }),
    );
  });

  it('refuses a named policy of another category than the one sent', () => {
    expect(() =>
      selectPolicy(policies, { policyId: 'travel', category: 'equipment', amount: '1.00' }),
    ).toThrow(expect.objectContaining({ status: 422, code: 'category-mismatch' }));
  });
});
