import type { Transaction } from 'kysely';
import type { ApprovalDatabase, StepDeadlineTable } from './types.js';

type Trx = Transaction<ApprovalDatabase>;

export interface DeadlineKey {
  expense_id: string;
  step: number;
  approver_id: string;
}

/**
 * Stores a step's timer. A redelivered request (same time, so the same due time) leaves
 * the timer as it is; a newer request of the same step from the same approver (a new
 * round after a send back, or the step coming back to them) starts it again, whatever
 * became of the old one.
 */
export async function insertDeadline(
  trx: Trx,
  row: DeadlineKey & { company_id: string; due_at: Date },
): Promise<void> {
  await trx
    .insertInto('step_deadline')
    .values({ ...row, closed_at: null })
    .onConflict((oc) =>
      oc
        .columns(['expense_id', 'step', 'approver_id'])
        .doUpdateSet({ due_at: row.due_at, state: 'open', closed_at: null })
        .where('step_deadline.due_at', '<', row.due_at),
    )
    .execute();
}

/**
 * Claims the oldest open deadline that is due, locked for this transaction. Replicas skip
 * each other's claims, so each deadline fires once; a crash rolls the claim back and the
 * row, still open, is claimed again later.
 */
export async function claimDueDeadline(
  trx: Trx,
  now: Date,
): Promise<(DeadlineKey & Pick<StepDeadlineTable, 'company_id' | 'due_at'>) | undefined> {
  return trx
    .selectFrom('step_deadline')
    .select(['expense_id', 'step', 'approver_id', 'company_id', 'due_at'])
    .where('state', '=', 'open')
    .where('due_at', '<=', now)
    .orderBy('due_at')
    .limit(1)
    .forUpdate()
    .skipLocked()
    .executeTakeFirst();
}

export async function closeDeadline(
  trx: Trx,
  key: DeadlineKey,
  state: 'escalated' | 'settled' | 'exhausted',
  at: Date,
): Promise<void> {
  await trx
    .updateTable('step_deadline')
    .set({ state, closed_at: at })
    .where('expense_id', '=', key.expense_id)
    .where('step', '=', key.step)
    .where('approver_id', '=', key.approver_id)
    .execute();
}
