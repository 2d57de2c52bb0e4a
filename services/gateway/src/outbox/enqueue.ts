import type { EventOf, EventType } from '@countersign/contracts';
import { appendAudit, auditRecordsOf, enqueueEvents } from '@countersign/platform';
import type { Transaction } from 'kysely';
import type { IdentityDatabase } from '../db/types.js';

export const IDENTITY_SCHEMA = 'identity';

/**
 * Adds events to this service's outbox in the caller's transaction, and records each in
 * the audit trail (every state change here is an event; see auditRecordsOf).
 */
export async function enqueue<T extends EventType>(
  trx: Transaction<IdentityDatabase>,
  events: EventOf<T>[],
): Promise<void> {
  await enqueueEvents(trx, events);
  await appendAudit(trx, auditRecordsOf(events));
}
