import { Streams } from '@countersign/contracts';
import type { ConsumerSpec } from '@countersign/platform';
import type { NotificationDatabase } from '../db/types.js';
import {
  notifyOnApprovalEvents,
  notifyOnExpenseAutoApproved,
  notifyOnExpenseBlocked,
  notifyOnExpensePaid,
  trackPendingApprovalsPart,
} from './approval-events.js';
import { type ComposeOptions, composeHandlers, type HandlerPart } from './compose-handlers.js';
import { applyDirectoryEvents } from './directory-events.js';
import {
  feedOnApprovalEvents,
  feedOnExpenseEvents,
  retiringFeedOnNotificationsConsumer,
} from './feed-events.js';
import { retiringWebhooksOnNotificationsConsumer, webhooksOn } from './webhook-events.js';

/*
 * One durable per stream the service reads. A batch of a stream's events is one
 * transaction that runs, for each new event in stream order, every part that handles its
 * type: one inbox insert and one commit per batch, however many jobs an event feeds.
 */

const approvalStreamParts: HandlerPart[] = [
  applyDirectoryEvents,
  notifyOnApprovalEvents,
  trackPendingApprovalsPart,
  feedOnApprovalEvents,
  webhooksOn('approval'),
];

const expenseStreamParts: HandlerPart[] = [
  notifyOnExpenseBlocked,
  notifyOnExpensePaid,
  notifyOnExpenseAutoApproved,
  feedOnExpenseEvents,
  webhooksOn('expense'),
];

const gatewayStreamParts: HandlerPart[] = [webhooksOn('gateway')];

function streamConsumer(
  stream: string,
  durable: string,
  parts: HandlerPart[],
  options: ComposeOptions,
): ConsumerSpec<NotificationDatabase> {
  return {
    stream,
    durable,
    handlers: composeHandlers(parts, options),
    replaces: parts.map((part) => part.legacyDurable),
  };
}

/** The durables that did one job each before: their inbox rows matter at the switch-over. */
export const legacyDurables: string[] = [
  ...approvalStreamParts,
  ...expenseStreamParts,
  ...gatewayStreamParts,
].map((part) => part.legacyDurable);

/**
 * The service's consumers: one per stream it reads, plus the two durables of its own
 * stream that are drained and deleted (their work now happens with the notification).
 */
export function notificationConsumers(
  options: ComposeOptions,
): ConsumerSpec<NotificationDatabase>[] {
  return [
    streamConsumer(Streams.approval, 'notification-on-approval', approvalStreamParts, options),
    streamConsumer(Streams.expense, 'notification-on-expense', expenseStreamParts, options),
    streamConsumer(Streams.gateway, 'notification-on-gateway', gatewayStreamParts, options),
    retiringFeedOnNotificationsConsumer,
    retiringWebhooksOnNotificationsConsumer,
  ];
}
