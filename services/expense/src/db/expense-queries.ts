import type { ChainStep, EventOf, EventType } from '@countersign/contracts';
import { outboxRows } from '@countersign/platform';
import { type Kysely, sql, type Transaction } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { ExpenseDatabase, ExpenseTable } from './types.js';

type Db = Kysely<ExpenseDatabase>;
type Trx = Transaction<ExpenseDatabase>;

/**
 * Stores an expense, its chain read model and the events announcing it in one statement:
 * atomic without an explicit transaction, and one round trip instead of six.
 */
export async function insertExpenseWithEvents<T extends EventType>(
  db: Db,
  expense: ExpenseTable,
  chain: ChainStep[],
  events: EventOf<T>[],
): Promise<void> {
  if (chain.length === 0) {
    // An auto-approved expense has no chain to copy.
    await db
      .with('new_expense', (qb) => qb.insertInto('expense').values(expense).returning('id'))
      .insertInto('outbox')
      .values(outboxRows(events))
      .execute();
    return;
  }
  await db
    .with('new_expense', (qb) => qb.insertInto('expense').values(expense).returning('id'))
    .with('new_steps', (qb) =>
      qb
        .insertInto('expense_step')
        .values(
          chain.map((s) => ({
            expense_id: expense.id,
            step: s.step,
            approver_id: s.approver_id,
            approver_name: s.approver_name,
            level_name: s.level_name,
            required: s.required,
            status: 'pending' as const,
            decided_at: null,
            comments: null,
          })),
        )
        .returning('expense_id'),
    )
    .insertInto('outbox')
    .values(outboxRows(events))
    .execute();
}

/** An expense with its chain read model, in one query. */
export async function findExpenseWithSteps(db: Db, companyId: string, expenseId: string) {
  const row = await db
    .selectFrom('expense')
    .selectAll('expense')
    .select((eb) =>
      jsonArrayFrom(
        eb
          .selectFrom('expense_step')
          .select([
            'expense_step.step',
            'expense_step.approver_id',
            'expense_step.approver_name',
            'expense_step.level_name',
            'expense_step.required',
            'expense_step.status',
            'expense_step.decided_at',
            'expense_step.comments',
          ])
          .whereRef('expense_step.expense_id', '=', 'expense.id')
          .orderBy('expense_step.step'),
      ).as('steps'),
    )
    .where('expense.id', '=', expenseId)
    .where('expense.company_id', '=', companyId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { steps, ...expense } = row;
  return {
    expense,
    // JSON aggregation returns timestamps as text; give them back their type.
    steps: steps.map((s) => ({ ...s, decided_at: s.decided_at ? new Date(s.decided_at) : null })),
  };
}

export async function listBySubmitter(
  db: Db,
  companyId: string,
  submitterId: string,
  limit: number,
  before?: { submittedAt: Date; id: string },
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
    ])
    .where('company_id', '=', companyId)
    .where('submitter_id', '=', submitterId);
  if (before) {
    query = query.where(sql<boolean>`(submitted_at, id) < (${before.submittedAt}, ${before.id})`);
  }
  return query.orderBy('submitted_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

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

export async function decideStep(
  trx: Trx,
  expenseId: string,
  step: number,
  status: 'approved' | 'rejected',
  at: Date,
  comments: string | null,
): Promise<void> {
  await trx
    .updateTable('expense_step')
    .set({ status, decided_at: at, comments, updated_at: new Date() })
    .where('expense_id', '=', expenseId)
    .where('step', '=', step)
    .execute();
}

/**
 * Marks steps that will never be asked as skipped: the ones named, or with `'all-undecided'`
 * every step still pending (routing failed, so no step was ever asked).
 */
export async function skipSteps(
  trx: Trx,
  expenseId: string,
  steps: number[] | 'all-undecided',
): Promise<void> {
  if (Array.isArray(steps) && steps.length === 0) return;
  let query = trx
    .updateTable('expense_step')
    .set({ status: 'skipped', updated_at: new Date() })
    .where('expense_id', '=', expenseId)
    .where('status', '=', 'pending');
  if (Array.isArray(steps)) query = query.where('step', 'in', steps);
  await query.execute();
}

/**
 * Replaces approvers the approval service re-resolved. Applied whatever the step's status:
 * the step may already be decided if its StepApproved was handled first. `assignment`
 * numbers the step's approvers; a row already showing a later one is left alone, so these
 * updates may arrive in any order.
 */
export async function reassignSteps(
  trx: Trx,
  expenseId: string,
  steps: ChainStep[],
  assignment: number,
): Promise<void> {
  for (const s of steps) {
    await trx
      .updateTable('expense_step')
      .set({
        approver_id: s.approver_id,
        approver_name: s.approver_name,
        level_name: s.level_name,
        assignment,
        updated_at: new Date(),
      })
      .where('expense_id', '=', expenseId)
      .where('step', '=', s.step)
      .where('assignment', '<', assignment)
      .execute();
  }
}
