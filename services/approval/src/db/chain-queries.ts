import type { EventOf, EventType } from '@countersign/contracts';
import { auditRecordsOf, outboxRows } from '@countersign/platform';
import { type ResolvedStep, toChainStep } from '@countersign/routing';
import { type ExpressionBuilder, type Kysely, sql, type Transaction } from 'kysely';
import type { ChainState, ChainStatus, StepStatus } from '../domain/decide.js';
import { recordAudit } from '../outbox/audit.js';
import type { ApprovalDatabase, ChainTable } from './types.js';

type Trx = Transaction<ApprovalDatabase>;

export interface NewChain {
  expenseId: string;
  companyId: string;
  submitterId: string;
  submitterName: string;
  policyId: string;
  policyName: string;
  amount: string;
  description: string;
  policyVersion: number | null;
  category: string;
  submitterTeamId: string;
  workspaceId: string | null;
  flags: string[];
  explanation: unknown;
}

/** What a submission event says of its expense, as a new chain needs it. */
export interface SubmittedExpense {
  expense_id: string;
  submitter: { id: string; name: string; team_id: string };
  policy: { id: string; name: string; category: string; version?: number | undefined };
  amount: string;
  description: string;
  workspace_id?: string | undefined;
  flags?: string[] | undefined;
}

export function newChainOf(
  companyId: string,
  data: SubmittedExpense,
  explanation: unknown,
): NewChain {
  return {
    expenseId: data.expense_id,
    companyId,
    submitterId: data.submitter.id,
    submitterName: data.submitter.name,
    policyId: data.policy.id,
    policyName: data.policy.name,
    amount: data.amount,
    description: data.description,
    policyVersion: data.policy.version ?? null,
    category: data.policy.category,
    submitterTeamId: data.submitter.team_id,
    workspaceId: data.workspace_id ?? null,
    flags: data.flags ?? [],
    explanation,
  };
}

/** The chain row of a new chain, in a given status. */
function chainRow(chain: NewChain, status: 'pending' | SettledAtOnce, completedAt: Date | null) {
  return {
    expense_id: chain.expenseId,
    company_id: chain.companyId,
    submitter_id: chain.submitterId,
    submitter_name: chain.submitterName,
    policy_id: chain.policyId,
    policy_name: chain.policyName,
    amount: chain.amount,
    description: chain.description,
    status,
    completed_at: completedAt,
    policy_version: chain.policyVersion,
    category: chain.category,
    submitter_team_id: chain.submitterTeamId,
    workspace_id: chain.workspaceId,
    flags: JSON.stringify(chain.flags),
    explanation: chain.explanation === null ? null : JSON.stringify(chain.explanation),
  };
}

/**
 * A seat's row: the columns are named as the contract names them; the seats of the first
 * stage are pending (asked now), the others wait.
 */
function seatRow(expenseId: string, s: ResolvedStep, firstStage: number, now: Date) {
  const { approver_rule, ...columns } = toChainStep(s);
  const asked = s.stage === firstStage;
  return {
    ...columns,
    approver_rule: JSON.stringify(approver_rule),
    expense_id: expenseId,
    status: asked ? ('pending' as const) : ('waiting' as const),
    requested_at: asked ? now : null,
    decided_at: null,
    comments: null,
  };
}

function seatRows(expenseId: string, steps: readonly ResolvedStep[], now: Date) {
  const firstStage = Math.min(...steps.map((s) => s.stage));
  return steps.map((s) => seatRow(expenseId, s, firstStage, now));
}

/**
 * Stores a chain with its first stage's seats pending, and the events announcing it, in one
 * statement. The consumer's inbox already makes this run once per event; a second chain
 * for the same expense would be a bug, and the primary key makes it fail loudly.
 */
export async function insertChainWithEvents<T extends EventType>(
  trx: Trx,
  chain: NewChain,
  steps: ResolvedStep[],
  events: EventOf<T>[],
  now: Date,
): Promise<void> {
  await trx
    .with('new_chain', (qb) =>
      qb
        .insertInto('chain')
        .values(chainRow(chain, 'pending', null))
        .returning('expense_id'),
    )
    .with('new_steps', (qb) =>
      qb
        .insertInto('chain_step')
        .values(seatRows(chain.expenseId, steps, now))
        .returning('expense_id'),
    )
    .insertInto('outbox')
    .values(outboxRows(events))
    .execute();
  await recordAudit(trx, auditRecordsOf(events));
}

export interface LockedChain extends ChainState {
  expenseId: string;
  companyId: string;
  amount: string;
  /** The delegate who decided a seat in its approver's name, per seat. */
  steps: readonly (ChainState['steps'][number] & { decidedBy: string | null })[];
}

/**
 * Locks the chain row for a decision: of two racing decisions one waits here and then
 * sees the other's result, so exactly one of them commits a change.
 */
export async function lockChain(
  trx: Trx,
  companyId: string,
  expenseId: string,
): Promise<LockedChain | undefined> {
  const chain = await trx
    .selectFrom('chain')
    .select(['expense_id', 'company_id', 'submitter_id', 'status', 'amount', 'round'])
    .where('expense_id', '=', expenseId)
    .where('company_id', '=', companyId)
    .forUpdate()
    .executeTakeFirst();
  if (!chain) return undefined;
  const steps = await trx
    .selectFrom('chain_step')
    .select(['step', 'approver_id', 'required', 'status', 'stage', 'needs', 'decided_by'])
    .where('expense_id', '=', expenseId)
    .orderBy('step')
    .execute();
  return {
    expenseId: chain.expense_id,
    companyId: chain.company_id,
    submitterId: chain.submitter_id,
    status: chain.status,
    round: chain.round,
    amount: chain.amount,
    steps: steps.map((s) => ({
      step: s.step,
      approverId: s.approver_id,
      required: s.required,
      status: s.status,
      stage: s.stage,
      needs: s.needs,
      decidedBy: s.decided_by,
    })),
  };
}

export async function setStepStatus(
  trx: Trx,
  expenseId: string,
  steps: number[],
  status: StepStatus,
  fields: { decidedAt?: Date; requestedAt?: Date; comments?: string | null } = {},
): Promise<void> {
  if (steps.length === 0) return;
  await trx
    .updateTable('chain_step')
    .set({
      status,
      ...(fields.decidedAt ? { decided_at: fields.decidedAt } : {}),
      ...(fields.requestedAt ? { requested_at: fields.requestedAt } : {}),
      ...(fields.comments !== undefined ? { comments: fields.comments } : {}),
    })
    .where('expense_id', '=', expenseId)
    .where('step', 'in', steps)
    .execute();
}

/** Ends the chain's round: terminal statuses record when; `sent_back` waits for a new round. */
export async function completeChain(
  trx: Trx,
  expenseId: string,
  status: Exclude<ChainStatus, 'pending'>,
  at: Date,
) {
  await trx
    .updateTable('chain')
    .set({ status, completed_at: status === 'sent_back' ? null : at })
    .where('expense_id', '=', expenseId)
    .execute();
}

/** What an ApprovalRequested says of the seat's stage, from `findStepApprover`'s row. */
export function stageOf(seat: {
  stage: number;
  needs: 'one' | 'all';
  seats: string | number | null;
}) {
  return { stage: seat.stage, needs: seat.needs, seats: Number(seat.seats ?? 1) };
}

/** A seat's approver, its stage (with how many seats it has) and the chain's submitter. */
export async function findStepApprover(trx: Trx, expenseId: string, step: number) {
  return trx
    .selectFrom('chain_step')
    .innerJoin('chain', 'chain.expense_id', 'chain_step.expense_id')
    .select([
      'chain_step.approver_id',
      'chain_step.stage',
      'chain_step.needs',
      'chain.submitter_id',
      'chain.submitter_name',
      'chain.description',
    ])
    .select((eb) =>
      eb
        .selectFrom('chain_step as seat')
        .select(eb.fn.countAll<string>().as('n'))
        .whereRef('seat.expense_id', '=', 'chain_step.expense_id')
        .whereRef('seat.stage', '=', 'chain_step.stage')
        .as('seats'),
    )
    .where('chain_step.expense_id', '=', expenseId)
    .where('chain_step.step', '=', step)
    .executeTakeFirstOrThrow();
}

export interface PendingRow {
  approval_id: string;
  expense_id: string;
  step: number;
  submitter_name: string;
  amount: string;
  description: string;
  policy_name: string;
  requested_at: Date;
  approver_id: string;
  approver_name: string;
}

/**
 * A delegation in force today from the step's approver to `delegateId` that covers the
 * expense, when the delegate is neither its submitter nor holds another of its steps.
 */
function delegatedToMe(
  eb: ExpressionBuilder<ApprovalDatabase & { chain: ChainTable }, 'chain_step' | 'chain'>,
  delegateId: string,
  today: string,
) {
  return eb
    .selectFrom('delegation')
    .leftJoin('policy', 'policy.id', 'chain.policy_id')
    .select('delegation.id')
    .whereRef('delegation.delegator_id', '=', 'chain_step.approver_id')
    .where('delegation.delegate_id', '=', delegateId)
    .where('delegation.revoked_at', 'is', null)
    .where(
      sql<boolean>`delegation.starts_on <= ${today}::date and ${today}::date <= delegation.ends_on`,
    )
    .where(sql<boolean>`(delegation.max_amount is null or chain.amount <= delegation.max_amount)`)
    .where(
      sql<boolean>`(delegation.categories is null or coalesce(chain.category, policy.category) = any(delegation.categories))`,
    )
    .where('chain.submitter_id', '<>', delegateId)
    .where((inner) =>
      inner.not(
        inner.exists(
          inner
            .selectFrom('chain_step as other')
            .select('other.step')
            .whereRef('other.expense_id', '=', 'chain.expense_id')
            // Holding a seat, or having decided one in someone's name: one person, one say.
            .where((who) =>
              who.or([
                who('other.approver_id', '=', delegateId),
                who('other.decided_by', '=', delegateId),
              ]),
            ),
        ),
      ),
    );
}

/** Who delegates to `delegateId` on `today` (the delegation's limits are checked per step). */
async function delegatorsOf(
  db: Kysely<ApprovalDatabase>,
  delegateId: string,
  today: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom('delegation')
    .select('delegator_id')
    .distinct()
    .where('delegate_id', '=', delegateId)
    .where('revoked_at', 'is', null)
    .where(sql<boolean>`starts_on <= ${today}::date and ${today}::date <= ends_on`)
    .execute();
  return rows.map((r) => r.delegator_id).filter((id) => id !== delegateId);
}

/** The caller's queue (their seats and those delegated to them), oldest request first, keyset-paged on (requested_at, expense_id, step). */
export async function listPendingForApprover(
  db: Kysely<ApprovalDatabase>,
  companyId: string,
  approverId: string,
  limit: number,
  today: string,
  after?: { requestedAt: Date; expenseId: string; step: number },
): Promise<PendingRow[]> {
  const delegators = await delegatorsOf(db, approverId, today);
  let query = db
    .selectFrom('chain_step')
    .innerJoin('chain', 'chain.expense_id', 'chain_step.expense_id')
    .select([
      'chain_step.id as approval_id',
      'chain_step.expense_id',
      'chain_step.step',
      'chain.submitter_name',
      'chain.amount',
      'chain.description',
      'chain.policy_name',
      sql<Date>`chain_step.requested_at`.as('requested_at'),
      'chain_step.approver_id',
      'chain_step.approver_name',
    ])
    // Seats are looked up by approver on the queue index, the caller's own and those of
    // whoever delegates to them today: never a scan of every pending step in the company.
    .where('chain_step.approver_id', 'in', [approverId, ...delegators])
    .where('chain_step.status', '=', 'pending')
    .where('chain.company_id', '=', companyId);
  if (delegators.length > 0) {
    query = query.where((eb) =>
      eb.or([
        eb('chain_step.approver_id', '=', approverId),
        eb.exists(delegatedToMe(eb, approverId, today)),
      ]),
    );
  }
  if (after) {
    // With the step, as a delegate may act for two seats of one parallel stage.
    query = query.where(
      sql<boolean>`(chain_step.requested_at, chain_step.expense_id, chain_step.step) > (${after.requestedAt}, ${after.expenseId}, ${after.step})`,
    );
  }
  return query
    .orderBy('chain_step.requested_at')
    .orderBy('chain_step.expense_id')
    .orderBy('chain_step.step')
    .limit(limit)
    .execute();
}

export interface OpenChainRow {
  expense_id: string;
  submitter_id: string;
  submitter_name: string;
  amount: string;
  description: string;
  round: number;
}

/**
 * Locks every pending chain in which `approverId` holds a step not yet decided, in
 * expense-id order (so two lockers never wait on each other in a circle). A decision racing
 * with an org change waits here, then sees the re-routed chain.
 */
export async function lockOpenChainsOf(
  trx: Trx,
  companyId: string,
  approverId: string,
): Promise<OpenChainRow[]> {
  return trx
    .selectFrom('chain')
    .select(['expense_id', 'submitter_id', 'submitter_name', 'amount', 'description', 'round'])
    .where('company_id', '=', companyId)
    .where('status', '=', 'pending')
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('chain_step')
          .select('chain_step.step')
          .whereRef('chain_step.expense_id', '=', 'chain.expense_id')
          .where('chain_step.approver_id', '=', approverId)
          .where('chain_step.status', 'in', ['pending', 'waiting']),
      ),
    )
    .orderBy('expense_id')
    .forUpdate()
    .execute();
}

/** Every step of the given chains, as the re-routing rule reads them. */
export async function listStepsOf(trx: Trx, expenseIds: string[]) {
  if (expenseIds.length === 0) return [];
  return trx
    .selectFrom('chain_step')
    .select([
      'expense_id',
      'step',
      'approver_id',
      'status',
      'required',
      'required_level',
      'team_scope',
      'assignment',
      'stage',
      'needs',
      'approver_rule',
      'escalate_after_hours',
      'escalate_to',
      'decided_by',
    ])
    .where('expense_id', 'in', expenseIds)
    .orderBy('expense_id')
    .orderBy('step')
    .execute();
}

/** Hands a step to a new approver; a pending step enters their queue as of `requestedAt`. */
export async function reassignStep(
  trx: Trx,
  expenseId: string,
  approver: ResolvedStep,
  assignment: number,
  requestedAt: Date | null,
): Promise<void> {
  await trx
    .updateTable('chain_step')
    .set({
      approver_id: approver.approverId,
      approver_name: approver.approverName,
      level_number: approver.levelNumber,
      level_name: approver.levelName,
      assignment,
      ...(requestedAt ? { requested_at: requestedAt } : {}),
    })
    .where('expense_id', '=', expenseId)
    .where('step', '=', approver.step)
    .execute();
}

/** The expense and step a seed-002 approval id names, within the caller's company. */
export async function findStepById(db: Kysely<ApprovalDatabase>, companyId: string, id: string) {
  return db
    .selectFrom('chain_step')
    .innerJoin('chain', 'chain.expense_id', 'chain_step.expense_id')
    .select(['chain_step.expense_id', 'chain_step.step', 'chain.round'])
    .where('chain_step.id', '=', id)
    .where('chain.company_id', '=', companyId)
    .executeTakeFirst();
}

export interface NewRound {
  expenseId: string;
  round: number;
  submitterName: string;
  policyId: string;
  policyName: string;
  amount: string;
  description: string;
  /** The route of the round, recorded as the first chain records it (null: unversioned). */
  policyVersion: number | null;
  category: string;
  flags: string[];
  explanation: unknown;
}

/** What a resubmission event says of its round, as the chain records it. */
export function newRoundOf(
  data: SubmittedExpense & { round: number },
  explanation: unknown,
): NewRound {
  return {
    expenseId: data.expense_id,
    round: data.round,
    submitterName: data.submitter.name,
    policyId: data.policy.id,
    policyName: data.policy.name,
    amount: data.amount,
    description: data.description,
    policyVersion: data.policy.version ?? null,
    category: data.policy.category,
    flags: data.flags ?? [],
    explanation,
  };
}

/** The chain's columns a new round sets: its expense as resubmitted, and how it routed. */
function roundColumns(round: NewRound) {
  return {
    round: round.round,
    submitter_name: round.submitterName,
    policy_id: round.policyId,
    policy_name: round.policyName,
    amount: round.amount,
    description: round.description,
    policy_version: round.policyVersion,
    category: round.category,
    flags: JSON.stringify(round.flags),
    explanation: round.explanation === null ? null : JSON.stringify(round.explanation),
  };
}

/**
 * Starts a new round on a chain that was sent back: the previous round's steps are deleted
 * (their decisions stay in the event log) and the new ones stored with the first pending.
 */
export async function replaceChainRound(
  trx: Trx,
  round: NewRound,
  steps: ResolvedStep[],
  now: Date,
): Promise<void> {
  await trx.deleteFrom('chain_step').where('expense_id', '=', round.expenseId).execute();
  await trx
    .updateTable('chain')
    .set({ ...roundColumns(round), status: 'pending', completed_at: null })
    .where('expense_id', '=', round.expenseId)
    .execute();
  await trx
    .insertInto('chain_step')
    .values(seatRows(round.expenseId, steps, now))
    .execute();
}

/** What a policy rule can settle at submission, with no approver asked. */
export type SettledAtOnce = 'approved' | 'blocked';

/**
 * Records an expense a policy rule approved or blocked at submission: a chain row already
 * settled, with no steps, so its explanation and simulations see it. A redelivery is a no-op.
 */
export async function insertSettledChain(
  trx: Trx,
  chain: NewChain,
  status: SettledAtOnce,
  at: Date,
): Promise<void> {
  await trx
    .insertInto('chain')
    .values(chainRow(chain, status, at))
    .onConflict((oc) => oc.column('expense_id').doNothing())
    .execute();
}

/**
 * Ends a sent-back chain with a resubmission a policy rule approved or blocked outright:
 * the previous round's steps are deleted (their decisions stay in the event log) and the
 * chain takes the new round, settled, with how it routed.
 */
export async function settleChainRound(
  trx: Trx,
  round: NewRound,
  status: SettledAtOnce,
  at: Date,
): Promise<void> {
  await trx.deleteFrom('chain_step').where('expense_id', '=', round.expenseId).execute();
  await trx
    .updateTable('chain')
    .set({ ...roundColumns(round), status, completed_at: at })
    .where('expense_id', '=', round.expenseId)
    .execute();
}

/** A chain's recorded route, with everyone who has held one of its steps. */
export async function findChainExplanation(
  db: Kysely<ApprovalDatabase>,
  companyId: string,
  expenseId: string,
) {
  return db
    .selectFrom('chain')
    .select([
      'chain.expense_id',
      'chain.status',
      'chain.submitter_id',
      'chain.policy_id',
      'chain.policy_name',
      'chain.policy_version',
      'chain.flags',
      'chain.explanation',
    ])
    .select((eb) =>
      eb.fn
        .coalesce(
          eb
            .selectFrom('chain_step')
            .select(sql<string[]>`array_agg(approver_id)`.as('ids'))
            .whereRef('chain_step.expense_id', '=', 'chain.expense_id'),
          sql<string[]>`'{}'::uuid[]`,
        )
        .as('approver_ids'),
    )
    .where('chain.expense_id', '=', expenseId)
    .where('chain.company_id', '=', companyId)
    .executeTakeFirst();
}

export const MAX_SIMULATED = 5000;

/**
 * The company's past routes for a simulation, newest first, at most MAX_SIMULATED: each
 * chain with its amount, category (the policy's for chains older than the column), the
 * submitter as the directory knows them now, and its approvers in step order.
 */
export async function listPastRoutes(
  db: Kysely<ApprovalDatabase>,
  companyId: string,
  filter: { category?: string | undefined; from?: string | undefined; to?: string | undefined },
) {
  let query = db
    .selectFrom('chain')
    .innerJoin('policy', 'policy.id', 'chain.policy_id')
    .innerJoin('person', 'person.id', 'chain.submitter_id')
    .innerJoin('level', 'level.id', 'person.level_id')
    .select([
      'chain.expense_id',
      'chain.amount',
      'chain.created_at',
      'chain.workspace_id',
      'chain.submitter_id',
      'chain.status',
      sql<string | null>`chain.explanation->>'block_reason'`.as('block_reason'),
      'person.role',
      'level.number as level_number',
      sql<string>`coalesce(chain.category, policy.category)`.as('category'),
      sql<string>`coalesce(chain.submitter_team_id, person.team_id)`.as('team_id'),
    ])
    // A builder subquery, so the step table gets the service's schema (raw SQL would not).
    .select((eb) =>
      eb.fn
        .coalesce(
          eb
            .selectFrom('chain_step as s')
            .select(sql<string[]>`array_agg(s.approver_id order by s.step)`.as('ids'))
            .whereRef('s.expense_id', '=', 'chain.expense_id'),
          sql<string[]>`'{}'::uuid[]`,
        )
        .as('approver_ids'),
    )
    .where('chain.company_id', '=', companyId);
  if (filter.category !== undefined) {
    query = query.where(
      sql<string>`coalesce(chain.category, policy.category)`,
      '=',
      filter.category,
    );
  }
  if (filter.from !== undefined)
    query = query.where('chain.created_at', '>=', new Date(filter.from));
  if (filter.to !== undefined) query = query.where('chain.created_at', '<', new Date(filter.to));
  return query
    .orderBy('chain.created_at', 'desc')
    .orderBy('chain.expense_id')
    .limit(MAX_SIMULATED)
    .execute();
}
