import type { EventOf, EventType } from '@countersign/contracts';
import { appendAudit, auditRecordsOf, enqueueEvents } from '@countersign/platform';
import type { Transaction } from 'kysely';
import type { ExpenseDatabase } from '../db/types.js';

/**
 * Adds events to this service's outbox in the caller's transaction, and records each in
 * the audit trail (every state change here is an event; see auditRecordsOf).
 */
export async function enqueue<T extends EventType>(
  trx: Transaction<ExpenseDatabase>,
  events: EventOf<T>[],
): Promise<void> {
  await enqueueEvents(trx, events);
  await appendAudit(trx, auditRecordsOf(events));
}
