import { CurrencyCode } from '@countersign/contracts';
import { UnprocessableError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { findBaseCurrency, findRateOn } from '../db/money-queries.js';
import type { ExpenseDatabase } from '../db/types.js';
import { MoneyInputError } from '../domain/money.js';
import { type PricedExpense, priceExpense } from '../domain/price-expense.js';

/**
 * Prices an expense in the company's base currency with the rate in force on its spend
 * date (the pair's latest rate dated on or before it). The base currency read here is
 * checked again, under a lock, when the expense is stored (`lockBaseCurrency`).
 */
export async function resolveExpenseMoney(
  db: Kysely<ExpenseDatabase>,
  companyId: string,
  input: { amount: string; currency: CurrencyCode | undefined; spendDate: string },
): Promise<PricedExpense> {
  const baseCurrency = CurrencyCode.parse(await findBaseCurrency(db, companyId));
  const currency = input.currency ?? baseCurrency;
  const rate =
    currency === baseCurrency
      ? null
      : await findRateOn(db, companyId, currency, baseCurrency, input.spendDate);
  if (currency !== baseCurrency && !rate) {
    throw new UnprocessableError(
      `no exchange rate from ${currency} to ${baseCurrency} on or before ${input.spendDate}: finance can add one at /api/exchange-rates`,
      'missing-exchange-rate',
    );
  }
  try {
    return priceExpense({ amount: input.amount, currency, baseCurrency, rate: rate ?? null });
  } catch (error) {
    if (error instanceof MoneyInputError) {
      throw new UnprocessableError(`amount ${currency} ${error.message}`, error.code);
    }
    throw error;
  }
}
