import {
  type AccessClaims,
  ExpenseStatus,
  type ReportQuery,
  type SpendingSummary,
} from '@countersign/contracts';
import type { Kysely } from 'kysely';
import { findBaseCurrency } from '../db/money-queries.js';
import { sumSpending } from '../db/report-queries.js';
import type { ExpenseDatabase } from '../db/types.js';
import { echoFilters, reportFilterOf } from './report-filter.js';

/** Totals by status, approved and pending spend, added up by PostgreSQL in one query. */
export async function getSpendingSummary(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
  query: ReportQuery,
): Promise<SpendingSummary> {
  const [baseCurrency, totals] = await Promise.all([
    findBaseCurrency(db, caller.company_id),
    sumSpending(db, reportFilterOf(caller, query), ExpenseStatus.options),
  ]);
  return { base_currency: baseCurrency, filters: echoFilters(query), ...totals };
}
