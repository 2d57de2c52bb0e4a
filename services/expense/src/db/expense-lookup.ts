import { type Kysely, sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { storedMoneyColumns, visibleExpenses } from './expense-views.js';
import type { ExpenseDatabase } from './types.js';

/** Reads of expenses by id, and of the deleted ones. */

type Db = Kysely<ExpenseDatabase>;

/** An expense `viewerId` may see (see `visibleExpenses`) with its chain read model, in one query. */
export async function findExpenseWithSteps(
  db: Db,
  companyId: string,
  expenseId: string,
  viewerId: string,
) {
  const row = await db
    .selectFrom('expense')
    .selectAll('expense')
    .select((eb) =>
      jsonArrayFrom(
        eb
          .selectFrom('expense_step')
          .leftJoin('person as delegate', 'delegate.id', 'expense_step.decided_by')
          .select([
            'expense_step.decided_by',
            'delegate.name as decided_by_name',
            'expense_step.step',
            'expense_step.approver_id',
            'expense_step.approver_name',
            'expense_step.level_name',
            'expense_step.required',
            'expense_step.status',
            'expense_step.decided_at',
            'expense_step.comments',
            'expense_step.stage',
            'expense_step.needs',
          ])
          .whereRef('expense_step.expense_id', '=', 'expense.id')
          .orderBy('expense_step.step'),
      ).as('steps'),
    )
    .where('expense.id', '=', expenseId)
    .where('expense.company_id', '=', companyId)
    .where(visibleExpenses(viewerId))
    .executeTakeFirst();
  if (!row) return undefined;
  const { steps, ...expense } = row;
  return {
    expense,
    // JSON aggregation returns timestamps as text; give them back their type.
    steps: steps.map((s) => ({ ...s, decided_at: s.decided_at ? new Date(s.decided_at) : null })),
  };
}

export async function findExpense(db: Db, companyId: string, expenseId: string) {
  return db
    .selectFrom('expense')
    .selectAll()
    .where('id', '=', expenseId)
    .where('company_id', '=', companyId)
    .executeTakeFirst();
}

/** The company's soft-deleted expenses, most recently deleted first. */
export async function listDeleted(
  db: Db,
  companyId: string,
  limit: number,
  before?: { deletedAt: Date; id: string },
) {
  let query = db
    .selectFrom('expense')
    .select([
      'id',
      'amount',
      'description',
      'status',
      'policy_name',
      'submitted_at',
      'completed_at',
      'workspace_id',
      'submitter_id',
      'deleted_at',
      'deleted_by',
      ...storedMoneyColumns,
    ])
    .where('company_id', '=', companyId)
    .where('deleted_at', 'is not', null)
    .$narrowType<{ deleted_at: Date; deleted_by: string }>();
  if (before) {
    query = query.where(sql<boolean>`(deleted_at, id) < (${before.deletedAt}, ${before.id})`);
  }
  return query.orderBy('deleted_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}
