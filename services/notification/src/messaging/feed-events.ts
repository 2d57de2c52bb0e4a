import { EventCatalogue, Streams } from '@countersign/contracts';
import type { ConsumerSpec } from '@countersign/platform';
import type { NotificationDatabase } from '../db/types.js';
import { publishFeedItems } from '../use-cases/publish-feed-items.js';
import type { HandlerPart } from './compose-handlers.js';

/*
 * The feed behind `GET /api/stream`. Status changes are feed parts of the expense and
 * approval stream consumers; a stored notification's feed item is written with the
 * notification itself (use-cases/notify-people.ts), so the service's own stream has no
 * durable any more.
 */

/** Status changes decided by the approval service go to the submitter's feed. */
export const feedOnApprovalEvents: HandlerPart = {
  legacyDurable: 'notification-feed-on-approval-events',
  handlers: {
    ExpenseRouted: publishFeedItems,
    ExpenseRoutingFailed: publishFeedItems,
    StepApproved: publishFeedItems,
    ExpenseApproved: publishFeedItems,
    ExpenseRejected: publishFeedItems,
    ExpenseSentBack: publishFeedItems,
    ExpenseWithdrawn: publishFeedItems,
  },
};

/** Status changes the expense service makes itself (submit, rule outcomes, delete, payout). */
export const feedOnExpenseEvents: HandlerPart = {
  legacyDurable: 'notification-feed-on-expense-events',
  handlers: {
    ExpenseSubmitted: publishFeedItems,
    ExpenseAutoApproved: publishFeedItems,
    ExpenseBlocked: publishFeedItems,
    ExpenseResubmitted: publishFeedItems,
    ExpenseDeleted: publishFeedItems,
    ExpensePaid: publishFeedItems,
  },
};

/**
 * The durable that fed stored notifications before they were fed in their own
 * transaction: read until drained, then deleted. A notification's feed item has the
 * notification's id, so one fed both ways is written once.
 */
export const retiringFeedOnNotificationsConsumer: ConsumerSpec<NotificationDatabase> = {
  stream: Streams.notification,
  durable: 'notification-feed-on-notifications',
  filterSubject: EventCatalogue.NotificationCreated.subject,
  handlers: { NotificationCreated: publishFeedItems },
  retiring: true,
};
