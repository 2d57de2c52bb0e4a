import type { ChainStep } from '@countersign/contracts';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { ExpenseDatabase, ExpenseTable } from './types.js';

type Db = Kysely<ExpenseDatabase>;
type Trx = Transaction<ExpenseDatabase>;

export async function insertExpense(
  trx: Trx,
  expense: ExpenseTable,
  chain: ChainStep[],
): Promise<void> {
  await trx.insertInto('expense').values(expense).execute();
  await trx
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
    .execute();
}

export async function findExpenseWithSteps(db: Db, companyId: string, expenseId: string) {
  const expense = await db
    .selectFrom('expense')
    .selectAll()
    .where('id', '=', expenseId)
    .where('company_id', '=', companyId)
    .executeTakeFirst();
  if (!expense) return undefined;
  const steps = await db
    .selectFrom('expense_step')
    .selectAll()
    .where('expense_id', '=', expenseId)
    .orderBy('step')
    .execute();
  return { expense, steps };
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

export async function skipUndecidedSteps(trx: Trx, expenseId: string): Promise<void> {
  await trx
    .updateTable('expense_step')
    .set({ status: 'skipped', updated_at: new Date() })
    .where('expense_id', '=', expenseId)
    .where('status', '=', 'pending')
    .execute();
}

/** Replaces approvers the approval service re-resolved, without touching decisions. */
export async function reassignSteps(
  trx: Trx,
  expenseId: string,
  chain: ChainStep[],
): Promise<void> {
  for (const s of chain) {
    await trx
      .updateTable('expense_step')
      .set({ approver_id: s.approver_id, approver_name: s.approver_name, level_name: s.level_name })
      .where('expense_id', '=', expenseId)
      .where('step', '=', s.step)
      .where('status', '=', 'pending')
      .execute();
  }
}
