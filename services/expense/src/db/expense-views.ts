import { type ExpressionBuilder, sql } from 'kysely';
import type { ExpenseDatabase } from './types.js';

/** What every list, summary and report of expenses shares: which rows, and money columns. */

/**
 * The expenses a list, summary or report may show: never a soft-deleted one, and a draft
 * only to its own submitter (`viewerId`; null shows no drafts at all, as summaries do).
 * Every query that lists or adds up expenses filters with it: `.where(visibleExpenses(id))`.
 */
export function visibleExpenses(viewerId: string | null) {
  return (eb: ExpressionBuilder<ExpenseDatabase, 'expense'>) =>
    eb.and([
      eb('expense.deleted_at', 'is', null),
      viewerId === null
        ? eb('expense.status', '!=', 'draft')
        : eb.or([eb('expense.status', '!=', 'draft'), eb('expense.submitter_id', '=', viewerId)]),
    ]);
}

/** The columns `storedMoney` reads, numerics and dates as text. */
export const storedMoneyColumns = [
  'currency',
  'base_currency',
  sql<string>`original_amount::text`.as('original_amount'),
  sql<string>`exchange_rate::text`.as('exchange_rate'),
  sql<string | null>`rate_date::text`.as('rate_date'),
] as const;
