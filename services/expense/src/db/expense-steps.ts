import type { ChainStep } from '@countersign/contracts';
import { sql, type Transaction } from 'kysely';
import type { ExpenseDatabase } from './types.js';

/** The expense's chain read model, as approval's events move its steps. */

type Trx = Transaction<ExpenseDatabase>;

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
