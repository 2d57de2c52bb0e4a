import type { EventOf, EventType } from '@countersign/contracts';
import { enqueueEvents } from '@countersign/platform';
import type { Transaction } from 'kysely';
import type { ApprovalDatabase } from '../db/types.js';

export const APPROVAL_SCHEMA = 'approval';

/** Adds events to this service's outbox in the caller's transaction. */
export function enqueue<T extends EventType>(
  trx: Transaction<ApprovalDatabase>,
  events: EventOf<T>[],
) {
  return enqueueEvents(trx, events);
}
