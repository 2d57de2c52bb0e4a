import { EventCatalogue, Streams } from '@countersign/contracts';
import type { ConsumerSpec, EventHandlers } from '@countersign/platform';
import type { NotificationDatabase } from '../db/types.js';
import { publishFeedItems } from '../use-cases/publish-feed-items.js';

/*
 * The feed behind `GET /api/stream` has durables of its own, apart from the ones that
 * store notifications: a feed that falls behind or dead-letters never holds back the
 * notifications, and each is idempotent through its own inbox rows.
 */

/** Stored notifications, from this service's own stream, go to their recipient's feed. */
export const feedOnNotificationsConsumer: ConsumerSpec<NotificationDatabase> = {
  stream: Streams.notification,
  durable: 'notification-feed-on-notifications',
  filterSubject: EventCatalogue.NotificationCreated.subject,
  handlers: { NotificationCreated: publishFeedItems },
};

const approvalStatusHandlers: EventHandlers<NotificationDatabase> = {
  ExpenseRouted: publishFeedItems,
  ExpenseRoutingFailed: publishFeedItems,
  StepApproved: publishFeedItems,
  ExpenseApproved: publishFeedItems,
  ExpenseRejected: publishFeedItems,
  ExpenseSentBack: publishFeedItems,
  ExpenseWithdrawn: publishFeedItems,
};

/** Status changes decided by the approval service go to the submitter's feed. */
export const feedOnApprovalEventsConsumer: ConsumerSpec<NotificationDatabase> = {
  stream: Streams.approval,
  durable: 'notification-feed-on-approval-events',
  handlers: approvalStatusHandlers,
};

/** Status changes the expense service makes itself (submit, rule outcomes, delete, payout). */
export const feedOnExpenseEventsConsumer: ConsumerSpec<NotificationDatabase> = {
  stream: Streams.expense,
  durable: 'notification-feed-on-expense-events',
  handlers: {
    ExpenseSubmitted: publishFeedItems,
    ExpenseAutoApproved: publishFeedItems,
    ExpenseBlocked: publishFeedItems,
    ExpenseResubmitted: publishFeedItems,
    ExpenseDeleted: publishFeedItems,
    ExpensePaid: publishFeedItems,
  },
};
