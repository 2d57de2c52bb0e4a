import type { EventOf, EventType } from '@countersign/contracts';
import { enqueueEvents } from '@countersign/platform';
import type { Transaction } from 'kysely';
import type { IdentityDatabase } from '../db/types.js';

export const IDENTITY_SCHEMA = 'identity';

/** Adds events to the gateway's outbox in the caller's transaction. */
export function enqueue<T extends EventType>(
  trx: Transaction<IdentityDatabase>,
  events: EventOf<T>[],
) {
  return enqueueEvents(trx, events);
}
