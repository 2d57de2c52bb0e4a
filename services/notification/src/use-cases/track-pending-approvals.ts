import type { EventHandlers } from '@countersign/platform';
import { recordPending, settle } from '../db/pending-approval-queries.js';
import type { NotificationDatabase } from '../db/types.js';

/**
 * Keeps the approvals waiting for each approver, from the approval events, for the daily
 * digest: a request adds a seat (a reassignment's request moves it), an approval settles
 * its seat and the seats it skipped, and the end of a round (approved, rejected, sent back,
 * withdrawn) settles the round. Settled seats are remembered, so a request redelivered
 * late adds nothing back.
 */
export const trackPendingApprovals: EventHandlers<NotificationDatabase> = {
  ApprovalRequested: (trx, event) =>
    recordPending(trx, {
      expense_id: event.data.expense_id,
      round: event.data.round ?? 1,
      step: event.data.step,
      company_id: event.company_id,
      approver_id: event.data.approver_id,
      submitter_name: event.data.submitter_name,
      description: event.data.description,
      amount: event.data.amount,
      requested_at: new Date(event.occurred_at),
    }),
  StepApproved: (trx, event) =>
    settle(trx, event.data.expense_id, event.data.round ?? 1, [
      event.data.step,
      ...(event.data.skipped_steps ?? []),
    ]),
  ExpenseApproved: (trx, event) => settle(trx, event.data.expense_id, event.data.round ?? 1, [0]),
  ExpenseRejected: (trx, event) => settle(trx, event.data.expense_id, event.data.round ?? 1, [0]),
  ExpenseSentBack: (trx, event) => settle(trx, event.data.expense_id, event.data.round, [0]),
  ExpenseWithdrawn: (trx, event) => settle(trx, event.data.expense_id, event.data.round, [0]),
};
