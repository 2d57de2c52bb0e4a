import type { ExpenseAutoApprovedV1 } from '@countersign/contracts';
import type { Transaction } from 'kysely';
import type { ApprovalDatabase } from '../db/types.js';
import { settleRoutedExpense } from './settle-routed-expense.js';

/**
 * Keeps the route of an expense a policy approved at once, with its explanation: at
 * submission a new chain, at a resubmission (round 2 on) the sent-back chain, closed.
 */
export async function recordAutoApproval(
  trx: Transaction<ApprovalDatabase>,
  event: ExpenseAutoApprovedV1,
): Promise<void> {
  const { data } = event;
  await settleRoutedExpense(
    trx,
    event.company_id,
    { ...data, round: data.round ?? 1 },
    'approved',
    new Date(data.approved_at),
  );
}
