import { z } from 'zod';

/**
 * The currencies Countersign accepts, with their ISO 4217 exponent (the number of minor
 * unit digits: JPY 0, USD 2, KWD 3). An amount may have at most that many decimals.
 */
export const currencyExponents = {
  AED: 2,
  AUD: 2,
  BHD: 3,
  BRL: 2,
  CAD: 2,
  CHF: 2,
  CLP: 0,
  CNY: 2,
  CZK: 2,
  DKK: 2,
  EUR: 2,
  GBP: 2,
  HKD: 2,
  HUF: 2,
  ILS: 2,
  INR: 2,
  ISK: 0,
  JOD: 3,
  JPY: 0,
  KRW: 0,
  KWD: 3,
  MXN: 2,
  NOK: 2,
  NZD: 2,
  OMR: 3,
  PLN: 2,
  SAR: 2,
  SEK: 2,
  SGD: 2,
  TND: 3,
  TRY: 2,
  USD: 2,
  VND: 0,
  ZAR: 2,
} as const satisfies Record<string, 0 | 2 | 3>;

export type CurrencyCode = keyof typeof currencyExponents;

const codes = Object.keys(currencyExponents) as [CurrencyCode, ...CurrencyCode[]];

/** An ISO 4217 code of an accepted currency; lower case is accepted and upper-cased. */
export const CurrencyCode = z
  .string()
  .trim()
  .toUpperCase()
  .pipe(z.enum(codes, { message: `a supported ISO 4217 currency: ${codes.join(', ')}` }))
  .meta({ description: 'ISO 4217 currency code', example: 'EUR' });

/**
 * A company's base currency: policies, reports and stored amounts work in it with two
 * decimal places, so only currencies of at most two minor digits can be a base.
 */
export const BaseCurrencyCode = CurrencyCode.refine((code) => currencyExponents[code] <= 2, {
  message: 'a base currency has at most two minor digits (policies compare cents)',
});

export function exponentOf(code: CurrencyCode): 0 | 2 | 3 {
  return currencyExponents[code];
}
