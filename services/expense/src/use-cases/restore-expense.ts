import type { AccessClaims, RestoreExpenseResponse } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import { markRestored } from '../db/expense-status.js';
import { lockOwnExpense } from '../db/expense-submission.js';
import type { ExpenseDatabase } from '../db/types.js';
import { recordAudit } from '../outbox/audit.js';
import { assertMayChange } from './assert-may-change.js';

/**
 * An admin brings a soft-deleted expense back as it is: visible again with its status. A
 * restored draft is a draft again; a sent-back expense's chain ended when it was deleted,
 * so it comes back withdrawn (or, if the withdrawal has not arrived yet, becomes so).
 * Nothing is announced: restoring changes nobody's work, only what lists show.
 */
export async function restoreExpense(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
  expenseId: string,
): Promise<RestoreExpenseResponse> {
  return db.transaction().execute(async (trx) => {
    const expense = assertMayChange(
      await lockOwnExpense(trx, caller.company_id, expenseId),
      caller,
      expenseId,
      'restore',
    );
    await markRestored(trx, expenseId);
    await recordAudit(trx, {
      companyId: caller.company_id,
      actor: { kind: 'user', id: caller.sub },
      action: 'expense.restored',
      entity: { type: 'expense', id: expenseId },
      before: { deleted_at: expense.deleted_at, deleted_by: expense.deleted_by },
      after: { deleted_at: null, deleted_by: null, status: expense.status },
    });
    return { message: 'Expense restored', expense_id: expenseId, status: expense.status };
  });
}
