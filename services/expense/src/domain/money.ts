/**
 * Exact money arithmetic: amounts are integers of a currency's minor unit (BigInt), rates
 * are integers over a power of ten, and the only rounding is one half-even step to the
 * base currency's minor unit at the end of a conversion. No value is ever a float.
 */

/** A decimal amount as an integer of minor units: 12.34 USD is 1234n at exponent 2. */
export interface Minor {
  units: bigint;
  exponent: number;
}

/** A rate as `numerator / 10^scale`: "1.0842" is 10842n at scale 4. */
export interface Rate {
  numerator: bigint;
  scale: number;
}

/** An amount the money rules refuse; `code` names the problem for the client. */
export class MoneyInputError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export class AmountPrecisionError extends MoneyInputError {
  constructor(
    readonly amount: string,
    readonly exponent: number,
  ) {
    super(
      exponent === 0
        ? `${amount} has decimals, but the currency has no minor unit`
        : `${amount} has more than ${exponent} decimal places`,
      'amount-precision',
    );
  }
}

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

function splitDecimal(text: string): { whole: string; fraction: string } {
  const match = DECIMAL.exec(text);
  if (!match) throw new Error(`not a decimal: ${text}`);
  return { whole: match[1] ?? '0', fraction: (match[2] ?? '').replace(/0+$/, '') };
}

/**
 * The amount in minor units of a currency with `exponent` digits; more significant
 * decimals than the currency has is an error, never a silent rounding.
 */
export function toMinor(amount: string, exponent: number): Minor {
  const { whole, fraction } = splitDecimal(amount);
  if (fraction.length > exponent) throw new AmountPrecisionError(amount, exponent);
  return { units: BigInt(whole + fraction.padEnd(exponent, '0')), exponent };
}

/** The decimal string of minor units, with exactly `exponent` places ("1000", "12.340"). */
export function formatMinor({ units, exponent }: Minor): string {
  if (units < 0n) throw new Error('money amounts are never negative here');
  const digits = units.toString().padStart(exponent + 1, '0');
  if (exponent === 0) return digits;
  return `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
}

/** Changes the number of places without changing the value (only ever widening). */
export function widen(amount: Minor, exponent: number): Minor {
  if (exponent < amount.exponent) throw new Error('widen cannot drop places');
  return { units: amount.units * 10n ** BigInt(exponent - amount.exponent), exponent };
}

export function parseRate(text: string): Rate {
  const { whole, fraction } = splitDecimal(text);
  const numerator = BigInt(whole + fraction);
  if (numerator === 0n) throw new Error('a rate is greater than zero');
  return { numerator, scale: fraction.length };
}

/** The shortest decimal string of a rate parsed by `parseRate` ("1.0842", "150"). */
export function formatRate({ numerator, scale }: Rate): string {
  return formatMinor({ units: numerator, exponent: scale });
}

/** `numerator / denominator` rounded to the nearest integer, a tie to the even one. */
export function divideHalfEven(numerator: bigint, denominator: bigint): bigint {
  if (numerator < 0n || denominator <= 0n) throw new Error('non-negative over positive only');
  const quotient = numerator / denominator;
  const twiceRemainder = (numerator % denominator) * 2n;
  if (twiceRemainder > denominator) return quotient + 1n;
  if (twiceRemainder < denominator) return quotient;
  return quotient % 2n === 0n ? quotient : quotient + 1n;
}

/**
 * Converts an amount at a rate into a currency with `toExponent` minor digits: the exact
 * product `units · rate · 10^(to − from)` rounded once, half-even, to the minor unit.
 */
export function convert(amount: Minor, rate: Rate, toExponent: number): Minor {
  const numerator = amount.units * rate.numerator * 10n ** BigInt(toExponent);
  const denominator = 10n ** BigInt(rate.scale + amount.exponent);
  return { units: divideHalfEven(numerator, denominator), exponent: toExponent };
}

export const UNIT_RATE: Rate = { numerator: 1n, scale: 0 };
