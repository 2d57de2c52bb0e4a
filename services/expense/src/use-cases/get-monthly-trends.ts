import type { AccessClaims, MonthlyTrends, ReportQuery } from '@countersign/contracts';
import { ValidationError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { findBaseCurrency } from '../db/money-queries.js';
import { sumByMonth } from '../db/report-queries.js';
import type { ExpenseDatabase } from '../db/types.js';
import { trendBounds, trendRangeIssues } from '../domain/trend-window.js';
import { echoFilters, reportFilterOf } from './report-filter.js';

/**
 * Spend per spend month, empty months included, oldest first. Both ends are capped: a
 * given end must lie within the trend bounds (400 otherwise), an open end is filled from
 * the data within those bounds and within MAX_TREND_MONTHS of the other end, so no
 * company's spend dates (1900, 9999) can make one answer list or read without limit.
 */
export async function getMonthlyTrends(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
  query: ReportQuery,
  now: Date,
): Promise<MonthlyTrends> {
  const issues = trendRangeIssues(query, now);
  if (issues.length > 0) throw new ValidationError(issues);
  const [baseCurrency, items] = await Promise.all([
    findBaseCurrency(db, caller.company_id),
    sumByMonth(db, reportFilterOf(caller, query), trendBounds(now)),
  ]);
  return { base_currency: baseCurrency, filters: echoFilters(query), items };
}
