import { notifyPeople } from '../use-cases/notify-people.js';
import { trackPendingApprovals } from '../use-cases/track-pending-approvals.js';
import type { HandlerPart } from './compose-handlers.js';

/** The approval events people are told about. */
export const notifyOnApprovalEvents: HandlerPart = {
  legacyDurable: 'notification-on-approval-events',
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

/** Blocked expenses: the one rule outcome the submitter is told about as a notification. */
export const notifyOnExpenseBlocked: HandlerPart = {
  legacyDurable: 'notification-on-expense-blocked',
  handlers: { ExpenseBlocked: notifyPeople },
};

/** Paid expenses: the submitter is told. */
export const notifyOnExpensePaid: HandlerPart = {
  legacyDurable: 'notification-on-expense-paid',
  handlers: { ExpensePaid: notifyPeople },
};

/** Expenses a policy rule approved at once: the submitter and finance are told. */
export const notifyOnExpenseAutoApproved: HandlerPart = {
  legacyDurable: 'notification-on-expense-auto-approved',
  handlers: { ExpenseAutoApproved: notifyPeople },
};

/** The approvals waiting for each approver, for the daily digest. */
export const trackPendingApprovalsPart: HandlerPart = {
  legacyDurable: 'notification-pending-approvals',
  handlers: trackPendingApprovals,
};
