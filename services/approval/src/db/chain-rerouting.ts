import type { ResolvedStep } from '@countersign/routing';
import type { Transaction } from 'kysely';
import type { ApprovalDatabase } from './types.js';

/** Open chains as an org change re-routes them: locked, read, their seats handed on. */

type Trx = Transaction<ApprovalDatabase>;

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
