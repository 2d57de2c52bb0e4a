import type { ReceiptExtraction } from '@countersign/contracts';
import { describe, expect, it } from 'vitest';
import { compareReceipt, sameAmount, sameVendor } from './compare-receipt.js';

const entered = {
  amount: '123.450',
  currency: 'USD',
  spendDate: '2026-03-15',
  vendor: 'Acme Hardware',
};
const sure = (value: string) => ({ value, confidence: 90 });
const read: ReceiptExtraction = {
  total: sure('123.45'),
  date: sure('2026-03-15'),
  vendor: sure('ACME HARDWARE'),
  currency: sure('USD'),
};

describe('compareReceipt', () => {
  it('verifies a receipt whose every field agrees', () => {
    expect(compareReceipt(read, entered)).toEqual({ verified: true, mismatches: [] });
  });

  it('lists each field that differs and does not verify', () => {
    const result = compareReceipt(
      { ...read, total: sure('99.00'), date: sure('2026-03-14') },
      entered,
    );
    expect(result.verified).toBe(false);
    expect(result.mismatches).toEqual([
      { field: 'total', on_receipt: '99.00', on_expense: '123.450' },
      { field: 'date', on_receipt: '2026-03-14', on_expense: '2026-03-15' },
    ]);
  });

  it('ignores fields read with low confidence, and needs the total', () => {
    const blurred = { ...read, date: { value: '2026-01-01', confidence: 30 } };
    expect(compareReceipt(blurred, entered)).toEqual({ verified: true, mismatches: [] });
    expect(compareReceipt({ ...read, total: null }, entered)).toEqual({
      verified: false,
      mismatches: [],
    });
  });

  it('cannot verify a vendor the expense lacks, but flags nothing for it', () => {
    expect(compareReceipt(read, { ...entered, vendor: null })).toEqual({
      verified: false,
      mismatches: [],
    });
  });
});

describe('sameAmount and sameVendor', () => {
  it('compares decimals by value', () => {
    expect(sameAmount('123.4', '123.400')).toBe(true);
    expect(sameAmount('0123.45', '123.45')).toBe(true);
    expect(sameAmount('123.45', '123.46')).toBe(false);
    expect(sameAmount('12', '12.00')).toBe(true);
  });

  it('matches a printed name that contains the listed one', () => {
    expect(sameVendor('ACME HARDWARE STORE #12', 'Acme Hardware')).toBe(true);
    expect(sameVendor('Bolt Taxi', 'Acme Hardware')).toBe(false);
    expect(sameVendor('AB', 'ABC Foods')).toBe(false);
  });
});
