import {
  EventCatalogue,
  type EventType,
  type ProducingService,
  Streams,
} from '@countersign/contracts';
import type { ConsumerSpec, EventHandlers } from '@countersign/platform';
import type { NotificationDatabase } from '../db/types.js';
import { enqueueWebhookDeliveries } from '../use-cases/enqueue-webhook-deliveries.js';
import type { HandlerPart } from './compose-handlers.js';

/** Every catalogue event a service produces goes to the webhooks subscribed to its type. */
function handlersFor(producer: ProducingService): EventHandlers<NotificationDatabase> {
  const types = (Object.keys(EventCatalogue) as EventType[]).filter(
    (type) => EventCatalogue[type].producer === producer,
  );
  return Object.fromEntries(types.map((type) => [type, enqueueWebhookDeliveries]));
}

/** The webhook part of a service stream's consumer: the stream's every event. */
export function webhooksOn(service: Exclude<ProducingService, 'notification'>): HandlerPart {
  return {
    legacyDurable: `notification-webhooks-on-${service}`,
    handlers: handlersFor(service),
  };
}

/**
 * The durable that queued webhooks for this service's own events before they were queued
 * with the notification itself: read until drained, then deleted. Queueing is idempotent
 * by (endpoint, event), so an event queued both ways is queued once.
 */
export const retiringWebhooksOnNotificationsConsumer: ConsumerSpec<NotificationDatabase> = {
  stream: Streams.notification,
  durable: 'notification-webhooks-on-notification',
  handlers: handlersFor('notification'),
  retiring: true,
};
