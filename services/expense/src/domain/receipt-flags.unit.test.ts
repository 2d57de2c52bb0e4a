import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DuplicateCandidate,
  duplicateExpenseFlag,
  duplicateReceiptFlag,
  isLikelyDuplicate,
  isReceiptOrDuplicateFlag,
  receiptMismatchFlag,
} from './receipt-flags.js';

const original: DuplicateCandidate = {
  id: '0193a000-0000-7000-8000-000000000001',
  submitterId: 'u1',
  amount: '42.500',
  currency: 'EUR',
  spendDate: '2026-03-15',
  vendor: 'Bolt Taxi',
};
const again = { ...original, id: '0193a000-0000-7000-8000-000000000002', amount: '42.50' };

describe('isLikelyDuplicate', () => {
  it('takes the same submitter, amount, currency, date and vendor (any case) for a duplicate', () => {
    expect(isLikelyDuplicate(again, original)).toBe(true);
    expect(isLikelyDuplicate({ ...again, vendor: 'BOLT TAXI' }, original)).toBe(true);
  });

  it('needs every part to agree, and a vendor on both', () => {
    expect(isLikelyDuplicate({ ...again, submitterId: 'u2' }, original)).toBe(false);
    expect(isLikelyDuplicate({ ...again, amount: '42.51' }, original)).toBe(false);
    expect(isLikelyDuplicate({ ...again, currency: 'USD' }, original)).toBe(false);
    expect(isLikelyDuplicate({ ...again, spendDate: '2026-03-16' }, original)).toBe(false);
    expect(isLikelyDuplicate({ ...again, vendor: 'Uber' }, original)).toBe(false);
    expect(isLikelyDuplicate({ ...again, vendor: null }, { ...original, vendor: null })).toBe(
      false,
    );
    expect(isLikelyDuplicate(original, original)).toBe(false);
  });

  it('is symmetric', () => {
    const candidate = fc.record({
      id: fc.constantFrom('a', 'b'),
      submitterId: fc.constantFrom('u1', 'u2'),
      amount: fc.constantFrom('1.00', '1.0', '2.00'),
      currency: fc.constantFrom('EUR', 'USD'),
      spendDate: fc.constantFrom('2026-03-15', '2026-03-16'),
      vendor: fc.constantFrom('Bolt', 'bolt', null),
    });
    fc.assert(
      fc.property(candidate, candidate, (a, b) => {
        expect(isLikelyDuplicate(a, b)).toBe(isLikelyDuplicate(b, a));
      }),
    );
  });
});

describe('flags', () => {
  it('name the original expense and where to find it', () => {
    expect(duplicateExpenseFlag(original.id)).toContain(`/api/expenses/${original.id}/status`);
    expect(duplicateReceiptFlag(original.id)).toContain(original.id);
    expect(
      receiptMismatchFlag([{ field: 'total', on_receipt: '99.00', on_expense: '42.500' }]),
    ).toBe('Receipt does not match the expense: total 99.00 on the receipt, 42.500 entered');
  });

  it('are told apart from policy warnings', () => {
    expect(isReceiptOrDuplicateFlag(duplicateExpenseFlag(original.id))).toBe(true);
    expect(isReceiptOrDuplicateFlag(duplicateReceiptFlag(original.id))).toBe(true);
    expect(isReceiptOrDuplicateFlag(receiptMismatchFlag([]))).toBe(true);
    expect(isReceiptOrDuplicateFlag('Travel over 1000 needs a receipt')).toBe(false);
  });
});
