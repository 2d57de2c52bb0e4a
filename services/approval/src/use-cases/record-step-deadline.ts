import type { ApprovalRequestedV1 } from '@countersign/contracts';
import type { Transaction } from 'kysely';
import { insertDeadline } from '../db/deadline-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { deadlineFor } from '../domain/deadline.js';

/**
 * Starts the timer of a step just requested from an approver, counted from the moment it was
 * requested (the event's time, not the time it is read), so a late or redelivered event
 * gives the same deadline. A step whose policy names its own hours uses them; the others
 * the company-wide setting. Nothing is stored when escalation is off.
 */
export async function recordStepDeadline(
  trx: Transaction<ApprovalDatabase>,
  event: ApprovalRequestedV1,
  companyHours: number,
): Promise<void> {
  const step = await trx
    .selectFrom('chain_step')
    .select('escalate_after_hours')
    .where('expense_id', '=', event.data.expense_id)
    .where('step', '=', event.data.step)
    .executeTakeFirst();
  const dueAt = deadlineFor(new Date(event.occurred_at), {
    companyHours,
    stepHours: step?.escalate_after_hours ?? null,
  });
  if (!dueAt) return;
  await insertDeadline(trx, {
    expense_id: event.data.expense_id,
    step: event.data.step,
    approver_id: event.data.approver_id,
    company_id: event.company_id,
    due_at: dueAt,
  });
}
