import { CurrencyCode, type ExpenseMoney, exponentOf } from '@countersign/contracts';
import {
  convert,
  formatMinor,
  formatRate,
  MoneyInputError,
  parseRate,
  toMinor,
  UNIT_RATE,
  widen,
} from './money.js';

/** Base amounts are stored as numeric(12,2): at most ten integer digits. */
const MAX_BASE_AMOUNT_CENTS = 10n ** 12n - 1n;

export interface PricedExpense {
  money: ExpenseMoney;
  /** The base amount with two places: the `amount` column, routing and events. */
  baseAmount: string;
}

/**
 * What an expense costs in the base currency: the amount in its own currency (at most its
 * minor digits, else AmountPrecisionError) times the rate, rounded once, half-even, to
 * the base currency's minor unit. Same currency: rate 1, nothing rounded, no rate date.
 */
export function priceExpense(input: {
  amount: string;
  currency: CurrencyCode;
  baseCurrency: CurrencyCode;
  rate: { rate: string; effective_on: string } | null;
}): PricedExpense {
  const original = toMinor(input.amount, exponentOf(input.currency));
  const sameCurrency = input.currency === input.baseCurrency;
  if (!sameCurrency && input.rate === null) {
    throw new Error('a conversion needs a rate');
  }
  const rate = sameCurrency || input.rate === null ? UNIT_RATE : parseRate(input.rate.rate);
  const base = convert(original, rate, exponentOf(input.baseCurrency));
  const baseCents = widen(base, 2);
  if (baseCents.units > MAX_BASE_AMOUNT_CENTS) {
    throw new MoneyInputError(
      `${input.baseCurrency} ${formatMinor(base)} is more than the largest base amount, 9999999999.99`,
      'amount-too-large',
    );
  }
  return {
    money: {
      amount: formatMinor(original),
      currency: input.currency,
      base_amount: formatMinor(base),
      base_currency: input.baseCurrency,
      exchange_rate: formatRate(rate),
      rate_date: sameCurrency ? null : (input.rate?.effective_on ?? null),
    },
    // Base currencies have at most two minor digits (BaseCurrencyCode), so this only pads.
    baseAmount: formatMinor(baseCents),
  };
}

/** The UTC calendar day of an instant, `YYYY-MM-DD`. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** A `date` column as pg reads it (local midnight of that day), back to `YYYY-MM-DD`. */
export function dayOf(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** A spend date may be at most one day ahead of UTC (time zones east of it), never more. */
export function isPlausibleSpendDate(day: string, now: Date): boolean {
  const tomorrow = utcDay(new Date(now.getTime() + 24 * 60 * 60 * 1000));
  return day <= tomorrow;
}

/** An expense's money as stored (numeric columns as text), in the shape responses and events use. */
export function storedMoney(row: {
  currency: string;
  original_amount: string;
  base_currency: string;
  amount: string;
  exchange_rate: string;
  rate_date: string | null;
}): ExpenseMoney {
  const currency = CurrencyCode.parse(row.currency);
  const baseCurrency = CurrencyCode.parse(row.base_currency);
  return {
    amount: formatMinor(toMinor(row.original_amount, exponentOf(currency))),
    currency,
    base_amount: formatMinor(toMinor(row.amount, exponentOf(baseCurrency))),
    base_currency: baseCurrency,
    exchange_rate: formatRate(parseRate(row.exchange_rate)),
    rate_date: row.rate_date,
  };
}

/** The money of an expense row as read whole (`date` columns as Date). */
export function expenseMoney(row: {
  currency: string;
  original_amount: string;
  base_currency: string;
  amount: string;
  exchange_rate: string;
  rate_date: Date | null;
}): ExpenseMoney {
  return storedMoney({ ...row, rate_date: row.rate_date ? dayOf(row.rate_date) : null });
}

/**
 * A new amount for an expense being edited, priced at the rate it was first priced at (its
 * spend date, and so its rate, do not change with an edit).
 */
export function repriceAtStoredRate(stored: ExpenseMoney, amount: string): PricedExpense {
  return priceExpense({
    amount,
    currency: stored.currency,
    baseCurrency: stored.base_currency,
    rate:
      stored.currency === stored.base_currency
        ? null
        : { rate: stored.exchange_rate, effective_on: stored.rate_date ?? '' },
  });
}
