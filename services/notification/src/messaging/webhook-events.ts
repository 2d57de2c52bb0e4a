import {
  EventCatalogue,
  type EventType,
  type ProducingService,
  Streams,
} from '@countersign/contracts';
import type { ConsumerSpec, EventHandlers } from '@countersign/platform';
import type { NotificationDatabase } from '../db/types.js';
import { enqueueWebhookDeliveries } from '../use-cases/enqueue-webhook-deliveries.js';

/** Every catalogue event a service produces goes to the webhooks subscribed to its type. */
function handlersFor(producer: ProducingService): EventHandlers<NotificationDatabase> {
  const types = (Object.keys(EventCatalogue) as EventType[]).filter(
    (type) => EventCatalogue[type].producer === producer,
  );
  return Object.fromEntries(types.map((type) => [type, enqueueWebhookDeliveries]));
}

/** One durable per service stream, of its own, so webhooks never hold up notifications. */
export const webhookConsumers: ConsumerSpec<NotificationDatabase>[] = (
  Object.keys(Streams) as ProducingService[]
).map((service) => ({
  stream: Streams[service],
  durable: `notification-webhooks-on-${service}`,
  handlers: handlersFor(service),
}));
