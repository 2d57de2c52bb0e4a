import type { ApproverReassignedV1 } from '@countersign/contracts';
import type { Transaction } from 'kysely';
import { lockIfCurrentRound, reassignSteps } from '../db/expense-steps.js';
import type { ExpenseDatabase } from '../db/types.js';

/**
 * A step of an expense in flight went to another approver (the previous one left or
 * moved): the status document names the new one. An older reassignment arriving late
 * changes nothing, and neither does one of a round the expense has left (its steps were
 * replaced by the resubmission). A reassignment without a round comes from before events
 * carried it; its round is unknown, so it is applied as it always was.
 */
export async function applyApproverReassignment(
  trx: Transaction<ExpenseDatabase>,
  event: ApproverReassignedV1,
): Promise<void> {
  const { data } = event;
  if (data.round !== undefined && !(await lockIfCurrentRound(trx, data.expense_id, data.round))) {
    return;
  }
  await reassignSteps(trx, data.expense_id, [data.approver], data.assignment);
}
