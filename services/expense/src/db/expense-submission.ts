import type { ChainStep } from '@countersign/contracts';
import type { Insertable, Kysely, Transaction } from 'kysely';
import type { ExpenseDatabase, ExpenseRow, ExpenseTable, NewExpense } from './types.js';

/** An expense from draft to routed: stored, edited by its submitter, and its routing stored. */

type Db = Kysely<ExpenseDatabase>;
type Trx = Transaction<ExpenseDatabase>;

/** A seat's stage columns; a step decided before parallel stages is its own stage. */
function stageColumns(s: ChainStep) {
  return { stage: s.stage ?? s.step, needs: s.needs ?? 'one' };
}

/** An outbox row, as the use case builds it (outboxRows) for insertExpense to store. */
export type OutboxRow = Insertable<ExpenseDatabase['outbox']>;

/**
 * Stores an expense, its chain read model and the outbox rows announcing it in one
 * statement: atomic without an explicit transaction, and one round trip instead of six.
 * The use case builds the outbox rows and appends the audit entries: this only stores
 * what it is given.
 */
export async function insertExpense(
  db: Trx,
  expense: NewExpense,
  chain: ChainStep[],
  outbox: OutboxRow[],
): Promise<void> {
  if (chain.length === 0) {
    // An auto-approved expense has no chain to copy.
    await db
      .with('new_expense', (qb) => qb.insertInto('expense').values(expense).returning('id'))
      .insertInto('outbox')
      .values(outbox)
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
            ...stageColumns(s),
          })),
        )
        .returning('expense_id'),
    )
    .insertInto('outbox')
    .values(outbox)
    .execute();
}

/** Stores a draft: not routed, so no chain and no event. */
export async function insertDraft(db: Db, draft: NewExpense): Promise<void> {
  await db.insertInto('expense').values(draft).execute();
}

/** The expense as its submitter may change it, locked; undefined if not theirs to change. */
export async function lockOwnExpense(
  trx: Trx,
  companyId: string,
  expenseId: string,
): Promise<ExpenseRow | undefined> {
  return trx
    .selectFrom('expense')
    .selectAll()
    .where('id', '=', expenseId)
    .where('company_id', '=', companyId)
    .forUpdate()
    .executeTakeFirst();
}

export async function updateExpenseFields(
  trx: Trx,
  expenseId: string,
  fields: Partial<
    Pick<
      ExpenseTable,
      'description' | 'amount' | 'original_amount' | 'category' | 'requested_policy_id'
    >
  >,
): Promise<void> {
  await trx.updateTable('expense').set(fields).where('id', '=', expenseId).execute();
}

/**
 * Stores how a draft (round 1) or a sent-back expense (its next round) routed: the expense
 * takes the routing decision and its outcome (pending with a chain, or approved or blocked
 * by a rule at once) and its chain read model is replaced; the use case adds the event
 * announcing it in the same transaction. Returns false, changing nothing, when the expense
 * is no longer what was routed (a racing submission, withdrawal, deletion or edit got
 * there first).
 */
export async function storeRoutingOutcome(
  trx: Trx,
  expenseId: string,
  from: Pick<
    ExpenseTable,
    | 'status'
    | 'round'
    | 'amount'
    | 'original_amount'
    | 'description'
    | 'category'
    | 'requested_policy_id'
  >,
  round: number,
  changes: Pick<
    ExpenseTable,
    | 'submitter_name'
    | 'policy_id'
    | 'policy_name'
    | 'category'
    | 'status'
    | 'completed_at'
    | 'refusal_reason'
    | 'flags'
  > &
    Partial<Pick<ExpenseTable, 'submitted_at'>>,
  chain: ChainStep[],
): Promise<boolean> {
  const updated = await trx
    .updateTable('expense')
    .set({ ...changes, round })
    .where('id', '=', expenseId)
    .where('status', '=', from.status)
    .where('round', '=', from.round)
    .where('deleted_at', 'is', null)
    // An edit that slipped in after routing was read would not be what was routed.
    .where('amount', '=', from.amount)
    .where('original_amount', 'is not distinct from', from.original_amount)
    .where('description', '=', from.description)
    .where('category', 'is not distinct from', from.category)
    .where('requested_policy_id', 'is not distinct from', from.requested_policy_id)
    .returning('id')
    .executeTakeFirst();
  if (!updated) return false;
  await trx.deleteFrom('expense_step').where('expense_id', '=', expenseId).execute();
  // A round a rule settled at once has no chain to copy.
  if (chain.length > 0)
    await trx
      .insertInto('expense_step')
      .values(
        chain.map((s) => ({
          expense_id: expenseId,
          step: s.step,
          approver_id: s.approver_id,
          approver_name: s.approver_name,
          level_name: s.level_name,
          required: s.required,
          status: 'pending' as const,
          decided_at: null,
          comments: null,
          ...stageColumns(s),
        })),
      )
      .execute();
  return true;
}
