import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dateIn, type OcrLine, parseReceiptText } from './parse-receipt-text.js';

const read = (text: string, confidence = 90): OcrLine[] =>
  text.split('\n').map((line) => ({ text: line, confidence }));

describe('parseReceiptText', () => {
  it('reads a plain receipt', () => {
    const found = parseReceiptText(
      read(
        'ACME HARDWARE\n12 Main Street\nDate: 2026-03-15\nWidgets 2 x 10.00\nSubtotal 113.45\nTOTAL USD 123.45\nThank you',
      ),
    );
    expect(found.total).toEqual({ value: '123.45', confidence: 90 });
    expect(found.date).toEqual({ value: '2026-03-15', confidence: 90 });
    expect(found.currency).toEqual({ value: 'USD', confidence: 90 });
    expect(found.vendor?.value).toBe('ACME HARDWARE');
    // The vendor is a guess from the first line: less sure than the line itself.
    expect(found.vendor?.confidence).toBeLessThan(90);
  });

  it('never takes a subtotal for the total, and takes the last total line', () => {
    const found = parseReceiptText(read('Shop\nSUBTOTAL 10.00\nTotal 12.00\nGrand total 14.50'));
    expect(found.total?.value).toBe('14.50');
    expect(parseReceiptText(read('Shop\nSub-total 10.00')).total).toBeNull();
  });

  it('drops thousands separators and reads decimal commas', () => {
    expect(parseReceiptText(read('Shop\nTOTAL 1,234.56')).total?.value).toBe('1234.56');
    expect(parseReceiptText(read('Laden\nTotal EUR 12,50')).total?.value).toBe('12.50');
  });

  it('tells currencies by code first, then by symbol with less certainty for $', () => {
    expect(parseReceiptText(read('Cafe\nTotal €4.20')).currency).toEqual({
      value: 'EUR',
      confidence: 90,
    });
    expect(parseReceiptText(read('Diner\nTotal $4.20')).currency).toEqual({
      value: 'USD',
      confidence: 45,
    });
    // Lower-case words are not currency codes ("all" is not the lek).
    expect(parseReceiptText(read('Thanks all\nTotal 4.20')).currency).toBeNull();
  });

  it('finds nothing it cannot see', () => {
    expect(parseReceiptText([])).toEqual({ total: null, date: null, vendor: null, currency: null });
    expect(parseReceiptText(read('12 34\n--- ---'))).toEqual({
      total: null,
      date: null,
      vendor: null,
      currency: null,
    });
  });

  it('keeps every confidence within 0-100 and every total a decimal', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ text: fc.string({ maxLength: 40 }), confidence: fc.double() })),
        (lines) => {
          const found = parseReceiptText(lines);
          for (const field of Object.values(found)) {
            if (field === null) continue;
            expect(field.confidence).toBeGreaterThanOrEqual(0);
            expect(field.confidence).toBeLessThanOrEqual(100);
          }
          if (found.total) expect(found.total.value).toMatch(/^\d+(\.\d{2,3})?$/);
        },
      ),
    );
  });

  it('reads back any total it is shown', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999 }), (cents) => {
        const amount = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
        expect(parseReceiptText(read(`Shop\nTOTAL ${amount}`)).total?.value).toBe(amount);
      }),
    );
  });
});

describe('dateIn', () => {
  it('reads unambiguous dates and skips ambiguous ones', () => {
    expect(dateIn('2026-03-15')).toBe('2026-03-15');
    expect(dateIn('2026/3/5')).toBe('2026-03-05');
    expect(dateIn('15.03.2026')).toBe('2026-03-15');
    expect(dateIn('03/15/2026')).toBe('2026-03-15');
    expect(dateIn('03/04/2026')).toBeNull();
    expect(dateIn('15 March 2026')).toBe('2026-03-15');
    expect(dateIn('Mar 15, 2026')).toBe('2026-03-15');
    expect(dateIn('2026-02-30')).toBeNull();
  });

  it('reads back any calendar day written as ISO', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1990-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }),
        (date) => {
          const day = date.toISOString().slice(0, 10);
          expect(dateIn(`Date: ${day} 10:42`)).toBe(day);
        },
      ),
    );
  });
});
