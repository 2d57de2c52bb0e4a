import type { ResolvedStep } from '@countersign/routing';
import { toChainStep } from '@countersign/routing';
import type { Insertable, Transaction } from 'kysely';
import type { ApprovalDatabase } from './types.js';

/** New chains and new rounds of a chain, stored as routing decided them. */

type Trx = Transaction<ApprovalDatabase>;

/** An outbox row, as the use case builds it (outboxRows) for insertChain to store. */
export type OutboxRow = Insertable<ApprovalDatabase['outbox']>;

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
 * Stores a chain with its first stage's seats pending, and the outbox rows announcing it, in
 * one statement (one round trip on the submit path). The use case builds the outbox rows
 * and appends the audit entries: this only stores what it is given. The consumer's inbox
 * already makes this run once per event; a second chain for the same expense would be a
 * bug, and the primary key makes it fail loudly.
 */
export async function insertChain(
  trx: Trx,
  chain: NewChain,
  steps: ResolvedStep[],
  outbox: OutboxRow[],
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
    .values(outbox)
    .execute();
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
