import type { AccessClaims, EditExpenseRequest, EditExpenseResponse } from '@countersign/contracts';
import { UnprocessableError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { lockOwnExpense, updateExpenseFields } from '../db/expense-submission.js';
import type { ExpenseDatabase, ExpenseRow } from '../db/types.js';
import { MoneyInputError } from '../domain/money.js';
import { expenseMoney, type PricedExpense, repriceAtStoredRate } from '../domain/price-expense.js';
import { recordAudit } from '../outbox/audit.js';
import { assertMayChange } from './assert-may-change.js';
import { requireCatalogName } from './require-catalog-name.js';

/**
 * The submitter edits their draft or an expense that was sent back (the lifecycle rules,
 * `assertMayChange`). Nothing is announced: the edit is private until the submission or
 * resubmission, whose event carries the edited expense. A new category without a policy
 * makes the (re)submission route by category and amount.
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
    const repriced = input.amount === undefined ? undefined : repriceEdit(expense, input.amount);
    const category =
      input.category === undefined
        ? undefined
        : await requireCatalogName(trx, caller.company_id, 'category', input.category);
    const fields = {
      ...(input.description !== undefined ? { description: input.description } : {}),
      ...(repriced !== undefined
        ? { amount: repriced.baseAmount, original_amount: repriced.money.amount }
        : {}),
      ...(category !== undefined ? { category } : {}),
      ...(input.policy_id !== undefined
        ? { requested_policy_id: input.policy_id }
        : input.category !== undefined
          ? { requested_policy_id: null }
          : {}),
    };
    await updateExpenseFields(trx, expenseId, fields);
    const edited = { ...expense, ...fields };
    await recordAudit(trx, {
      companyId: caller.company_id,
      actor: { kind: 'user', id: caller.sub },
      action: 'expense.edited',
      entity: { type: 'expense', id: expenseId },
      before: editedFieldsOf(expense, fields),
      after: fields,
    });
    return {
      message:
        edited.status === 'draft'
          ? 'Draft edited; submit it to route it for approval'
          : 'Expense edited; resubmit it to route it again',
      expense_id: expenseId,
      status: edited.status,
      amount: Number(edited.original_amount),
      description: edited.description,
      category: edited.category,
      policy_id: edited.requested_policy_id,
    };
  });
}

/** The stored values of the fields an edit changes: the audit entry's before-image. */
function editedFieldsOf(expense: ExpenseRow, fields: object): Record<string, unknown> {
  const row = expense as unknown as Record<string, unknown>;
  return Object.fromEntries(Object.keys(fields).map((k) => [k, row[k] ?? null]));
}

/** The edited amount, in the expense's own currency, priced at its stored rate. */
function repriceEdit(expense: ExpenseRow, amount: string): PricedExpense {
  const money = expenseMoney(expense);
  try {
    return repriceAtStoredRate(money, amount);
  } catch (error) {
    if (error instanceof MoneyInputError) {
      throw new UnprocessableError(`amount ${money.currency} ${error.message}`, error.code);
    }
    throw error;
  }
}
