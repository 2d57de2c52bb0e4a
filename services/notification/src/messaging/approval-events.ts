import { Streams } from '@countersign/contracts';
import type { ConsumerSpec } from '@countersign/platform';
import type { NotificationDatabase } from '../db/types.js';
import { notifyPeople } from '../use-cases/notify-people.js';
import { trackPendingApprovals } from '../use-cases/track-pending-approvals.js';

export const approvalEventsConsumer: ConsumerSpec<NotificationDatabase> = {
  stream: Streams.approval,
  durable: 'notification-on-approval-events',
  handlers: {
    ApprovalRequested: notifyPeople,
    ExpenseApproved: notifyPeople,
    ExpenseRejected: notifyPeople,
    ExpenseRoutingFailed: notifyPeople,
    ExpenseSentBack: notifyPeople,
    ExpenseWithdrawn: notifyPeople,
    StepApproved: notifyPeople,
    ApprovalDelegated: notifyPeople,
    ApprovalEscalated: notifyPeople,
  },
};

/**
 * Blocked expenses come from the expense service's stream: a durable of its own there,
 * filtered to the one event the notification service tells anyone about.
 */
export const blockedExpensesConsumer: ConsumerSpec<NotificationDatabase> = {
  stream: Streams.expense,
  durable: 'notification-on-expense-blocked',
  filterSubject: 'countersign.expense.expense.blocked.v1',
  handlers: { ExpenseBlocked: notifyPeople },
};

/** Paid expenses: the submitter is told. A durable of its own on the expense stream. */
export const paidExpensesConsumer: ConsumerSpec<NotificationDatabase> = {
  stream: Streams.expense,
  durable: 'notification-on-expense-paid',
  filterSubject: 'countersign.expense.expense.paid.v1',
  handlers: { ExpensePaid: notifyPeople },
};

/**
 * Expenses a policy rule approved at once: the submitter and finance are told. A durable
 * of its own on the expense stream.
 */
export const autoApprovedExpensesConsumer: ConsumerSpec<NotificationDatabase> = {
  stream: Streams.expense,
  durable: 'notification-on-expense-auto-approved',
  filterSubject: 'countersign.expense.expense.auto-approved.v1',
  handlers: { ExpenseAutoApproved: notifyPeople },
};

/**
 * The approvals waiting for each approver, for the daily digest. A durable of its own, so
 * notifying people and keeping this list fail and retry apart.
 */
export const pendingApprovalsConsumer: ConsumerSpec<NotificationDatabase> = {
  stream: Streams.approval,
  durable: 'notification-pending-approvals',
  handlers: trackPendingApprovals,
};
