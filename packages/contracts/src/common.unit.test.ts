import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MoneyInput } from './common.js';

describe('MoneyInput', () => {
  it('normalises numbers and decimal strings to two places', () => {
    expect(MoneyInput.parse(800)).toBe('800.00');
    expect(MoneyInput.parse(1999.99)).toBe('1999.99');
    expect(MoneyInput.parse('12.5')).toBe('12.50');
    expect(MoneyInput.parse('007.10')).toBe('7.10');
  });

  it('refuses zero, negatives, three decimals, exponents and text', () => {
    for (const bad of [0, -1, '1.234', 1e21, 'abc', '', '1,00', Number.NaN]) {
      expect(MoneyInput.safeParse(bad).success).toBe(false);
    }
  });

  it('round-trips every cent amount exactly', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 99_999_999_99 }), (cents) => {
        const text = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
        expect(MoneyInput.parse(text)).toBe(text);
        expect(MoneyInput.parse(cents / 100)).toBe(text);
      }),
    );
  });
});
