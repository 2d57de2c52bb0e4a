import type { AccessClaims, DeleteExpenseResponse } from '@countersign/contracts';
import { newEvent } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { markDeleted } from '../db/expense-status.js';
import { lockOwnExpense } from '../db/expense-submission.js';
import type { ExpenseDatabase } from '../db/types.js';
import { enqueue } from '../outbox/enqueue.js';
import { assertMayChange } from './assert-may-change.js';

/**
 * The submitter soft-deletes their draft or sent-back expense: hidden from lists, status
 * documents and summaries, kept in the table with who deleted it and when, restorable by
 * an admin. ExpenseDeleted commits with it; for a sent-back expense the approval service
 * ends the chain on it as a withdrawal (ExpenseWithdrawn follows, and the expense, still
 * deleted, becomes withdrawn), so nothing waits for a resubmission that will not come.
 * A submitted (pending) expense cannot be deleted: 409.
 */
export async function deleteExpense(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
  expenseId: string,
  now: Date,
): Promise<DeleteExpenseResponse> {
  return db.transaction().execute(async (trx) => {
    const expense = assertMayChange(
      await lockOwnExpense(trx, caller.company_id, expenseId),
      caller,
      expenseId,
      'delete',
    );
    const status = expense.status === 'draft' ? 'draft' : 'sent_back';
    await markDeleted(trx, expenseId, caller.sub, now);
    await enqueue(trx, [
      newEvent('ExpenseDeleted', {
        companyId: caller.company_id,
        actor: { kind: 'user', id: caller.sub },
        subject: expenseId,
        occurredAt: now,
        data: {
          expense_id: expenseId,
          submitter_id: expense.submitter_id,
          round: expense.round,
          status,
          deleted_by: caller.sub,
          deleted_at: now.toISOString(),
        },
      }),
    ]);
    return {
      message:
        status === 'draft'
          ? 'Draft deleted; an admin can restore it'
          : 'Expense deleted; its approval chain ends as withdrawn; an admin can restore it',
      expense_id: expenseId,
      status: expense.status,
      deleted_at: now.toISOString(),
    };
  });
}
