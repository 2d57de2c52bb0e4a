import type { EventOf, EventType } from '@countersign/contracts';
import { enqueueEvents } from '@countersign/platform';
import type { Transaction } from 'kysely';
import type { NotificationDatabase } from '../db/types.js';

export const NOTIFICATION_SCHEMA = 'notification';

/** Adds events to this service's outbox in the caller's transaction. */
export function enqueue<T extends EventType>(
  trx: Transaction<NotificationDatabase>,
  events: EventOf<T>[],
) {
  return enqueueEvents(trx, events);
}
