import { type Kysely, sql } from 'kysely';
import type { IdentityDatabase } from './types.js';

/**
 * Records that a ticket was used; true for its first use only. One insert that does
 * nothing on a used id, so two replicas racing on one ticket cannot both win.
 */
export async function insertTicketUse(
  db: Kysely<IdentityDatabase>,
  ticketId: string,
  expiresAt: Date,
): Promise<boolean> {
  const inserted = await db
    .insertInto('stream_ticket_use')
    .values({ ticket_id: ticketId, expires_at: expiresAt })
    .onConflict((oc) => oc.column('ticket_id').doNothing())
    .returning('ticket_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Deletes the uses of tickets that have expired (they can no longer be presented). */
export async function deleteExpiredTicketUses(db: Kysely<IdentityDatabase>): Promise<number> {
  const result = await db
    .deleteFrom('stream_ticket_use')
    .where('expires_at', '<', sql<Date>`now()`)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
