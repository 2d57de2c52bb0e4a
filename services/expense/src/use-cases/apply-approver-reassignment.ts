import type { ApproverReassignedV1 } from '@countersign/contracts';
import type { Transaction } from 'kysely';
import { reassignSteps } from '../db/expense-queries.js';
import type { ExpenseDatabase } from '../db/types.js';

/**
 * A step of an expense in flight went to another approver (the previous one left or
 * moved): the status document names the new one. An older reassignment arriving late
 * changes nothing.
 */
export async function applyApproverReassignment(
  trx: Transaction<ExpenseDatabase>,
  event: ApproverReassignedV1,
): Promise<void> {
  const { data } = event;
  await reassignSteps(trx, data.expense_id, [data.approver], data.assignment);
}
