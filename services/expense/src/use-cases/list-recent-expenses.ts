import {
  type AccessClaims,
  CurrencyCode,
  exponentOf,
  type RecentExpenses,
  type RecentExpensesQuery,
} from '@countersign/contracts';
import type { Kysely } from 'kysely';
import { findBaseCurrency } from '../db/money-queries.js';
import { listRecent } from '../db/report-queries.js';
import type { ExpenseDatabase } from '../db/types.js';
import { formatMinor, toMinor } from '../domain/money.js';
import { echoFilters, reportFilterOf } from './report-filter.js';

/** The company's latest submitted expenses, newest first. */
export async function listRecentExpenses(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
  query: RecentExpensesQuery,
): Promise<RecentExpenses> {
  const [baseCurrency, rows] = await Promise.all([
    findBaseCurrency(db, caller.company_id),
    listRecent(db, reportFilterOf(caller, query), query.limit),
  ]);
  return {
    base_currency: baseCurrency,
    filters: echoFilters(query),
    items: rows.map((row) => ({
      ...row,
      // As the status document shows it: as many places as its currency has.
      original_amount: formatMinor(
        toMinor(row.original_amount, exponentOf(CurrencyCode.parse(row.currency))),
      ),
      submitted_at: row.submitted_at.toISOString(),
    })),
  };
}
