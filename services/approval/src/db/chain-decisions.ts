import type { Transaction } from 'kysely';
import type { ChainState, ChainStatus, StepStatus } from '../domain/decide.js';
import type { ApprovalDatabase } from './types.js';

/** A chain as decisions change it: locked for the decision, its seats' statuses, its end. */

type Trx = Transaction<ApprovalDatabase>;

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
