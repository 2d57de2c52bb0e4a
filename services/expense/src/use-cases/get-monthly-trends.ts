import type { AccessClaims, MonthlyTrends, ReportQuery } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import { findBaseCurrency } from '../db/money-queries.js';
import { sumByMonth } from '../db/report-queries.js';
import type { ExpenseDatabase } from '../db/types.js';
import { echoFilters, reportFilterOf } from './report-filter.js';

/** Spend per spend month, empty months included, oldest first. */
export async function getMonthlyTrends(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
  query: ReportQuery,
): Promise<MonthlyTrends> {
  const [baseCurrency, items] = await Promise.all([
    findBaseCurrency(db, caller.company_id),
    sumByMonth(db, reportFilterOf(caller, query)),
  ]);
  return { base_currency: baseCurrency, filters: echoFilters(query), items };
}
