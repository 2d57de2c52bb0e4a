import { ExpenseAmountInput, RateInput } from '@countersign/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AmountPrecisionError,
  convert,
  divideHalfEven,
  formatMinor,
  formatRate,
  type Minor,
  MoneyInputError,
  parseRate,
  type Rate,
  toMinor,
  UNIT_RATE,
} from './money.js';
import { priceExpense } from './price-expense.js';

const exponent = fc.constantFrom(0, 2, 3);
const minor = (max = 10n ** 15n) => fc.record({ units: fc.bigInt({ min: 0n, max }), exponent });
const rate: fc.Arbitrary<Rate> = fc.record({
  numerator: fc.bigInt({ min: 1n, max: 10n ** 12n }),
  scale: fc.integer({ min: 0, max: 10 }),
});

describe('amounts in minor units', () => {
  it('keeps every digit, and refuses more decimals than the currency has', () => {
    expect(toMinor('12.34', 2)).toEqual({ units: 1234n, exponent: 2 });
    expect(toMinor('12.3', 2)).toEqual({ units: 1230n, exponent: 2 });
    expect(toMinor('1000', 0)).toEqual({ units: 1000n, exponent: 0 });
    expect(toMinor('1000.0', 0)).toEqual({ units: 1000n, exponent: 0 });
    expect(toMinor('12.345', 3)).toEqual({ units: 12345n, exponent: 3 });
    expect(() => toMinor('12.345', 2)).toThrow(AmountPrecisionError);
    expect(() => toMinor('1000.5', 0)).toThrow(/no minor unit/);
    expect(formatMinor({ units: 5n, exponent: 3 })).toBe('0.005');
    expect(formatMinor({ units: 1000n, exponent: 0 })).toBe('1000');
  });

  it('formats and parses back to the same units (property)', () => {
    fc.assert(
      fc.property(minor(), (m) => {
        expect(toMinor(formatMinor(m), m.exponent)).toEqual(m);
      }),
    );
  });

  it('reads a JSON number as the decimal it was written as, never as a float (property)', () => {
    // A client's JSON number with two places arrives as a double; its shortest decimal
    // text is what the client wrote, so no cent is ever lost or gained.
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 12n - 1n }), (cents) => {
        const asNumber = Number(cents) / 100;
        const parsed = ExpenseAmountInput.parse(asNumber);
        expect(toMinor(parsed, 2).units).toBe(cents);
        expect(ExpenseAmountInput.parse(formatMinor({ units: cents, exponent: 2 }))).toBe(parsed);
      }),
    );
  });
});

describe('rates', () => {
  it('parse to an exact fraction and print in their shortest form', () => {
    expect(parseRate('1.0842')).toEqual({ numerator: 10842n, scale: 4 });
    expect(parseRate('1.0842000000')).toEqual({ numerator: 10842n, scale: 4 });
    expect(formatRate(parseRate('150'))).toBe('150');
    expect(formatRate(parseRate('0.0067'))).toBe('0.0067');
    expect(RateInput.parse(1.1)).toBe('1.1');
    expect(() => RateInput.parse('0.000')).toThrow();
  });
});

describe('conversion rounds once, half-even, to the target minor unit', () => {
  it('rounds the documented examples', () => {
    const usd = (text: string) => formatMinor(convert(toMinor(text, 2), parseRate('0.0125'), 2));
    expect(usd('10.00')).toBe('0.12'); // 0.125 → tie → even 0.12
    expect(usd('10.80')).toBe('0.14'); // 0.135 → tie → even 0.14
    expect(usd('10.81')).toBe('0.14'); // 0.135125 → nearer 0.14
    // JPY (0 places) to USD, EUR to JPY, KWD (3 places) to USD.
    expect(formatMinor(convert(toMinor('100', 0), parseRate('0.0067'), 2))).toBe('0.67');
    expect(formatMinor(convert(toMinor('0.01', 2), parseRate('162.5'), 0))).toBe('2'); // 1.625
    expect(formatMinor(convert(toMinor('0.03', 2), parseRate('162.5'), 0))).toBe('5'); // 4.875
    expect(formatMinor(convert(toMinor('1.234', 3), parseRate('3.25'), 2))).toBe('4.01'); // 4.0105
    expect(formatMinor(convert(toMinor('100.00', 2), parseRate('1.0842'), 2))).toBe('108.42');
  });

  it('divides half-even: below half down, above half up, a tie to the even neighbour', () => {
    expect(divideHalfEven(14n, 10n)).toBe(1n);
    expect(divideHalfEven(16n, 10n)).toBe(2n);
    expect(divideHalfEven(15n, 10n)).toBe(2n);
    expect(divideHalfEven(25n, 10n)).toBe(2n);
    expect(divideHalfEven(0n, 7n)).toBe(0n);
  });

  it('is within half a minor unit of the exact value, ties going to even (property)', () => {
    fc.assert(
      fc.property(minor(), rate, exponent, (amount, r, to) => {
        const result = convert(amount, r, to);
        // Exact value = numerator / denominator, in target minor units.
        const numerator = amount.units * r.numerator * 10n ** BigInt(to);
        const denominator = 10n ** BigInt(r.scale + amount.exponent);
        const error = result.units * denominator - numerator; // scaled by denominator
        const twice = 2n * (error < 0n ? -error : error);
        expect(twice <= denominator).toBe(true);
        if (twice === denominator) expect(result.units % 2n).toBe(0n);
        expect(result.exponent).toBe(to);
      }),
    );
  });

  it('at rate 1 into the same currency changes nothing (property)', () => {
    fc.assert(
      fc.property(minor(), (amount) => {
        expect(convert(amount, UNIT_RATE, amount.exponent)).toEqual(amount);
      }),
    );
  });

  it('never lets a larger amount convert to less (property)', () => {
    fc.assert(
      fc.property(minor(), minor(), rate, exponent, (a, b, r, to) => {
        const bSame: Minor = { units: b.units, exponent: a.exponent };
        const [low, high] = a.units <= bSame.units ? [a, bSame] : [bSame, a];
        expect(convert(low, r, to).units <= convert(high, r, to).units).toBe(true);
      }),
    );
  });

  it('does not depend on how the rate is written ("1.5" = "1.50000") (property)', () => {
    fc.assert(
      fc.property(minor(), rate, fc.integer({ min: 1, max: 6 }), exponent, (amount, r, k, to) => {
        const padded: Rate = { numerator: r.numerator * 10n ** BigInt(k), scale: r.scale + k };
        expect(convert(amount, padded, to)).toEqual(convert(amount, r, to));
        expect(parseRate(formatRate(padded))).toEqual(parseRate(formatRate(r)));
      }),
    );
  });

  it('is exact when the product fits the target minor unit (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 12n }),
        fc.bigInt({ min: 1n, max: 10n ** 6n }),
        (units, whole) => {
          // Whole-number rates from a 2-place currency into a 2-place currency: exact.
          const result = convert({ units, exponent: 2 }, { numerator: whole, scale: 0 }, 2);
          expect(result.units).toBe(units * whole);
        },
      ),
    );
  });
});

describe('pricing an expense', () => {
  it('stores the original amount, the rate and the base amount rounded half-even', () => {
    expect(
      priceExpense({
        amount: '100',
        currency: 'EUR',
        baseCurrency: 'USD',
        rate: { rate: '1.0842', effective_on: '2026-11-01' },
      }),
    ).toEqual({
      money: {
        amount: '100.00',
        currency: 'EUR',
        base_amount: '108.42',
        base_currency: 'USD',
        exchange_rate: '1.0842',
        rate_date: '2026-11-01',
      },
      baseAmount: '108.42',
    });
    const yen = priceExpense({
      amount: '0.03',
      currency: 'EUR',
      baseCurrency: 'JPY',
      rate: { rate: '162.5', effective_on: '2026-11-01' },
    });
    expect(yen.money.base_amount).toBe('5');
    expect(yen.baseAmount).toBe('5.00');
  });

  it('needs no rate in the base currency, and keeps every digit', () => {
    const priced = priceExpense({
      amount: '800',
      currency: 'USD',
      baseCurrency: 'USD',
      rate: null,
    });
    expect(priced.money).toMatchObject({ amount: '800.00', exchange_rate: '1', rate_date: null });
    expect(priced.baseAmount).toBe('800.00');
  });

  it('refuses more decimals than the currency has', () => {
    const price = (amount: string, currency: 'JPY' | 'USD' | 'KWD') =>
      priceExpense({ amount, currency, baseCurrency: currency, rate: null });
    expect(() => price('10.5', 'JPY')).toThrow(AmountPrecisionError);
    expect(() => price('10.005', 'USD')).toThrow(AmountPrecisionError);
    const kwd = priceExpense({
      amount: '10.005',
      currency: 'KWD',
      baseCurrency: 'USD',
      rate: { rate: '3.25', effective_on: '2026-11-01' },
    });
    expect(kwd.money).toMatchObject({ amount: '10.005', base_amount: '32.52' }); // 32.51625
  });

  it('refuses a base amount larger than its column holds', () => {
    const price = (amount: string) =>
      priceExpense({
        amount,
        currency: 'EUR',
        baseCurrency: 'USD',
        rate: { rate: '1000', effective_on: '2026-01-01' },
      });
    expect(price('9999999.99').baseAmount).toBe('9999999990.00');
    expect(() => price('999999999999')).toThrow(MoneyInputError);
    expect(() => price('10000000')).toThrow(/largest base amount/);
  });

  it('converts any amount exactly as the arithmetic does (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 12n }), rate, (cents, r) => {
        const text = formatMinor({ units: cents, exponent: 2 });
        const price = () =>
          priceExpense({
            amount: text,
            currency: 'EUR',
            baseCurrency: 'USD',
            rate: { rate: formatRate(r), effective_on: '2026-01-01' },
          });
        const expected = convert({ units: cents, exponent: 2 }, r, 2);
        if (expected.units >= 10n ** 12n) {
          // Beyond numeric(12,2): refused, never truncated.
          expect(price).toThrow(MoneyInputError);
          return;
        }
        const priced = price();
        expect(priced.baseAmount).toBe(formatMinor(expected));
        expect(priced.money.base_amount).toBe(priced.baseAmount);
      }),
    );
  });
});
