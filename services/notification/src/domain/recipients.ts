import type { EventOf, NotificationKind } from '@countersign/contracts';

export interface PlannedNotification {
  recipientId: string;
  kind: NotificationKind;
  expenseId: string;
  message: string;
}

/**
 * Who an event concerns and what they are told: the approver when a step is theirs (or
 * leaves their queue by withdrawal), the submitter when it ends or comes back to them.
 */
export function notificationsFor(
  event:
    | EventOf<'ApprovalRequested'>
    | EventOf<'ExpenseApproved'>
    | EventOf<'ExpenseRejected'>
    | EventOf<'ExpenseRoutingFailed'>
    | EventOf<'ExpenseSentBack'>
    | EventOf<'ExpenseWithdrawn'>,
): PlannedNotification[] {
  switch (event.type) {
    case 'ApprovalRequested':
      return [
        {
          recipientId: event.data.approver_id,
          kind: 'approval_requested',
          expenseId: event.data.expense_id,
          message: `${event.data.submitter_name} asks you to approve "${event.data.description}" (${event.data.amount}), step ${event.data.step}`,
        },
      ];
    case 'ExpenseApproved':
      return [
        {
          recipientId: event.data.submitter_id,
          kind: 'expense_approved',
          expenseId: event.data.expense_id,
          message: `Your expense of ${event.data.amount} is approved`,
        },
      ];
    case 'ExpenseRejected':
      return [
        {
          recipientId: event.data.submitter_id,
          kind: 'expense_rejected',
          expenseId: event.data.expense_id,
          message: `Your expense was rejected at step ${event.data.step}: ${event.data.reason}`,
        },
      ];
    case 'ExpenseRoutingFailed':
      return [
        {
          recipientId: event.data.submitter_id,
          kind: 'expense_refused',
          expenseId: event.data.expense_id,
          message: `Your expense could not be routed: ${event.data.reason}`,
        },
      ];
    case 'ExpenseSentBack':
      return [
        {
          recipientId: event.data.submitter_id,
          kind: 'expense_sent_back',
          expenseId: event.data.expense_id,
          message: `Your expense was sent back for changes at step ${event.data.step}: ${event.data.comment}`,
        },
      ];
    case 'ExpenseWithdrawn':
      return event.data.pending_approver_ids.map((approverId) => ({
        recipientId: approverId,
        kind: 'expense_withdrawn' as const,
        expenseId: event.data.expense_id,
        message: `An expense waiting for your approval was withdrawn by its submitter${event.data.reason ? `: ${event.data.reason}` : ''}`,
      }));
  }
}
