import type { AccessClaims, EditExpenseRequest, EditExpenseResponse } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import { lockOwnExpense, updateExpenseFields } from '../db/expense-queries.js';
import type { ExpenseDatabase } from '../db/types.js';
import { assertMayChange } from './assert-may-change.js';

/**
 * The submitter edits an expense that was sent back. Nothing is announced: the edit is a
 * draft until the resubmission, whose event carries the edited expense. A new category
 * without a policy makes the resubmission route by category and amount.
 */
export async function editExpense(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
  expenseId: string,
  input: EditExpenseRequest,
): Promise<EditExpenseResponse> {
  return db.transaction().execute(async (trx) => {
    const expense = assertMayChange(
      await lockOwnExpense(trx, caller.company_id, expenseId),
      caller,
      expenseId,
      'edit',
    );
    const fields = {
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(input.amount !== undefined ? { amount: input.amount } : {}),
      ...(input.category !== undefined ? { category: input.category } : {}),
      ...(input.policy_id !== undefined
        ? { requested_policy_id: input.policy_id }
        : input.category !== undefined
          ? { requested_policy_id: null }
          : {}),
    };
    await updateExpenseFields(trx, expenseId, fields);
    const edited = { ...expense, ...fields };
    return {
      message: 'Expense edited; resubmit it to route it again',
      expense_id: expenseId,
      status: edited.status,
      amount: Number(edited.amount),
      description: edited.description,
      category: edited.category,
      policy_id: edited.requested_policy_id,
    };
  });
}
