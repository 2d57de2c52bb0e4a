import type { AccessClaims, CategoryReport, ReportQuery } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import { findBaseCurrency } from '../db/money-queries.js';
import { sumByCategory } from '../db/report-queries.js';
import type { ExpenseDatabase } from '../db/types.js';
import { echoFilters, reportFilterOf } from './report-filter.js';

/** Spend per category, largest first. */
export async function getCategoryReport(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
  query: ReportQuery,
): Promise<CategoryReport> {
  const [baseCurrency, items] = await Promise.all([
    findBaseCurrency(db, caller.company_id),
    sumByCategory(db, reportFilterOf(caller, query)),
  ]);
  return { base_currency: baseCurrency, filters: echoFilters(query), items };
}
