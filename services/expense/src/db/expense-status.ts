import type { Transaction } from 'kysely';
import type { ExpenseDatabase } from './types.js';

/** An expense's status as its chain and its submitter move it: settled, withdrawn, deleted. */

type Trx = Transaction<ExpenseDatabase>;

/** Moves a pending expense to a final status; a replayed or late event changes nothing. */
export async function finishExpense(
  trx: Trx,
  expenseId: string,
  status: 'approved' | 'rejected' | 'refused',
  at: Date,
  refusalReason: string | null = null,
): Promise<void> {
  await trx
    .updateTable('expense')
    .set({ status, completed_at: at, refusal_reason: refusalReason })
    .where('id', '=', expenseId)
    .where('status', '=', 'pending')
    .execute();
}

/** Locks the expense and reads where it stands, for a rule to decide on under the lock. */
export async function lockExpenseState(trx: Trx, expenseId: string) {
  return trx
    .selectFrom('expense')
    .select(['status', 'round'])
    .where('id', '=', expenseId)
    .forUpdate()
    .executeTakeFirst();
}

/** Ends the expense as withdrawn; the caller decided, under the row lock, that it applies. */
export async function markWithdrawn(trx: Trx, expenseId: string, at: Date): Promise<void> {
  await trx
    .updateTable('expense')
    .set({ status: 'withdrawn', completed_at: at, refusal_reason: null })
    .where('id', '=', expenseId)
    .execute();
}

/** The approver sent the expense back: it waits for the submitter's edits and resubmit. */
export async function markSentBack(trx: Trx, expenseId: string): Promise<void> {
  await trx
    .updateTable('expense')
    .set({ status: 'sent_back' })
    .where('id', '=', expenseId)
    .where('status', '=', 'pending')
    .execute();
}

/**
 * Soft-deletes the expense; the caller decided under the lock, and adds the event
 * announcing it.
 */
export async function markDeleted(
  trx: Trx,
  expenseId: string,
  by: string,
  at: Date,
): Promise<void> {
  await trx
    .updateTable('expense')
    .set({ deleted_at: at, deleted_by: by })
    .where('id', '=', expenseId)
    .execute();
}

/** Brings a soft-deleted expense back as it was; the caller decided under the lock. */
export async function markRestored(trx: Trx, expenseId: string): Promise<void> {
  await trx
    .updateTable('expense')
    .set({ deleted_at: null, deleted_by: null })
    .where('id', '=', expenseId)
    .execute();
}
