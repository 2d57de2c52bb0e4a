import type { ChainStep, EventOf, EventType } from '@countersign/contracts';
import { auditRecordsOf, outboxRows } from '@countersign/platform';
import { type ExpressionBuilder, type Kysely, sql, type Transaction } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { recordAudit } from '../outbox/audit.js';
import type { ExpenseDatabase, ExpenseRow, ExpenseTable, NewExpense } from './types.js';

type Db = Kysely<ExpenseDatabase>;
type Trx = Transaction<ExpenseDatabase>;

/**
 * The expenses a list, summary or report may show: never a soft-deleted one, and a draft
 * only to its own submitter (`viewerId`; null shows no drafts at all, as summaries do).
 * Every query that lists or adds up expenses filters with it: `.where(visibleExpenses(id))`.
 */
export function visibleExpenses(viewerId: string | null) {
  return (eb: ExpressionBuilder<ExpenseDatabase, 'expense'>) =>
    eb.and([
      eb('expense.deleted_at', 'is', null),
      viewerId === null
        ? eb('expense.status', '!=', 'draft')
        : eb.or([eb('expense.status', '!=', 'draft'), eb('expense.submitter_id', '=', viewerId)]),
    ]);
}

/** A seat's stage columns; a step decided before parallel stages is its own stage. */
function stageColumns(s: ChainStep) {
  return { stage: s.stage ?? s.step, needs: s.needs ?? 'one' };
}

/**
 * Stores an expense, its chain read model and the events announcing it in one statement:
 * atomic without an explicit transaction, and one round trip instead of six.
 */
export async function insertExpenseWithEvents<T extends EventType>(
  db: Trx,
  expense: NewExpense,
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
    await recordAudit(db, auditRecordsOf(events));
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
    .values(outboxRows(events))
    .execute();
  await recordAudit(db, auditRecordsOf(events));
}

/** The columns `storedMoney` reads, numerics and dates as text. */
export const storedMoneyColumns = [
  'currency',
  'base_currency',
  sql<string>`original_amount::text`.as('original_amount'),
  sql<string>`exchange_rate::text`.as('exchange_rate'),
  sql<string | null>`rate_date::text`.as('rate_date'),
] as const;

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
 * Locks the expense and tells whether its chain read model shows `round`. Events of an
 * earlier round (late, or redelivered after a resubmission) must not touch the new steps;
 * the lock orders this check against a resubmission in flight.
 */
export async function lockIfCurrentRound(
  trx: Trx,
  expenseId: string,
  round: number,
): Promise<boolean> {
  const row = await trx
    .selectFrom('expense')
    .select('round')
    .where('id', '=', expenseId)
    .forUpdate()
    .executeTakeFirst();
  return row?.round === round;
}

export async function decideStep(
  trx: Trx,
  expenseId: string,
  step: number,
  status: 'approved' | 'rejected' | 'sent_back',
  at: Date,
  comments: string | null,
  decidedBy: string | null = null,
): Promise<void> {
  await trx
    .updateTable('expense_step')
    .set({ status, decided_at: at, comments, decided_by: decidedBy, updated_at: new Date() })
    .where('expense_id', '=', expenseId)
    .where('step', '=', step)
    .execute();
}

/**
 * Records when a seat was asked. The earliest request wins, so an escalation's second
 * request does not restart the clock and redelivered events in any order agree.
 */
export async function markStepRequested(
  trx: Trx,
  expenseId: string,
  step: number,
  at: Date,
): Promise<void> {
  await trx
    .updateTable('expense_step')
    .set({ requested_at: sql<Date>`least(coalesce(requested_at, ${at}), ${at})` })
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
 * by a rule at once), its chain read model is replaced, and the event announcing it joins
 * the outbox, together. Returns false, changing nothing, when the expense is no longer what
 * was routed (a racing submission, withdrawal, deletion or edit got there first).
 */
export async function storeRoutingOutcome<T extends EventType>(
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
  events: EventOf<T>[],
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
  if (events.length > 0) {
    await trx.insertInto('outbox').values(outboxRows(events)).execute();
    await recordAudit(trx, auditRecordsOf(events));
  }
  return true;
}

export async function findExpense(db: Db, companyId: string, expenseId: string) {
  return db
    .selectFrom('expense')
    .selectAll()
    .where('id', '=', expenseId)
    .where('company_id', '=', companyId)
    .executeTakeFirst();
}

/** Stores a draft: not routed, so no chain and no event. */
export async function insertDraft(db: Db, draft: NewExpense): Promise<void> {
  await db.insertInto('expense').values(draft).execute();
}

/** Soft-deletes the expense, with the event announcing it; the caller decided under the lock. */
export async function markDeleted<T extends EventType>(
  trx: Trx,
  expenseId: string,
  by: string,
  at: Date,
  events: EventOf<T>[],
): Promise<void> {
  await trx
    .updateTable('expense')
    .set({ deleted_at: at, deleted_by: by })
    .where('id', '=', expenseId)
    .execute();
  await trx.insertInto('outbox').values(outboxRows(events)).execute();
  await recordAudit(trx, auditRecordsOf(events));
}

/** Brings a soft-deleted expense back as it was; the caller decided under the lock. */
export async function markRestored(trx: Trx, expenseId: string): Promise<void> {
  await trx
    .updateTable('expense')
    .set({ deleted_at: null, deleted_by: null })
    .where('id', '=', expenseId)
    .execute();
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
