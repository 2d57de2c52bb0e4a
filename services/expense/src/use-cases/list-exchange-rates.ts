import {
  type AccessClaims,
  CurrencyCode,
  type ExchangeRate,
  type ExchangeRateList,
  type ExchangeRateListQuery,
} from '@countersign/contracts';
import type { Kysely } from 'kysely';
import { listExchangeRates as listRates, type StoredRate } from '../db/money-queries.js';
import type { ExpenseDatabase } from '../db/types.js';
import { formatRate, parseRate } from '../domain/money.js';

/** The newest rates first, unpaged: a year of daily rates of a few currencies fits. */
export const MAX_RATES_LISTED = 2000;

export async function listExchangeRates(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
  query: ExchangeRateListQuery,
): Promise<ExchangeRateList> {
  const rows = await listRates(db, caller.company_id, query.currency, MAX_RATES_LISTED);
  return { items: rows.map(toExchangeRate) };
}

export function toExchangeRate(row: StoredRate): ExchangeRate {
  return {
    id: row.id,
    currency: CurrencyCode.parse(row.currency),
    base_currency: CurrencyCode.parse(row.base_currency),
    // numeric(19,10) comes back with ten places; give the shortest exact form.
    rate: formatRate(parseRate(row.rate)),
    effective_on: row.effective_on,
    created_by: row.created_by,
    created_at: row.created_at.toISOString(),
  };
}
