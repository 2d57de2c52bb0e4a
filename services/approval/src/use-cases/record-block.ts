import type { ExpenseBlockedV1 } from '@countersign/contracts';
import type { Transaction } from 'kysely';
import type { ApprovalDatabase } from '../db/types.js';
import { settleRoutedExpense } from './settle-routed-expense.js';

/**
 * Keeps the route of an expense a policy rule blocked, with its explanation (which rule,
 * and why), so GET /expenses/{id}/routing explains the block: at submission a new chain,
 * at a resubmission the sent-back chain, closed as blocked.
 */
export async function recordBlock(
  trx: Transaction<ApprovalDatabase>,
  event: ExpenseBlockedV1,
): Promise<void> {
  const { data } = event;
  await settleRoutedExpense(trx, event.company_id, data, 'blocked', new Date(data.blocked_at));
}
