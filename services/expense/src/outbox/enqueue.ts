import type { EventOf, EventType } from '@countersign/contracts';
import { enqueueEvents } from '@countersign/platform';
import type { Transaction } from 'kysely';
import type { ExpenseDatabase } from '../db/types.js';

/** Adds events to this service's outbox in the caller's transaction. */
export function enqueue<T extends EventType>(
  trx: Transaction<ExpenseDatabase>,
  events: EventOf<T>[],
) {
  return enqueueEvents(trx, events);
}
