import { DomainError, UnauthorizedError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { deleteExpiredTicketUses, insertTicketUse } from '../db/stream-ticket-queries.js';
import type { IdentityDatabase } from '../db/types.js';

/**
 * Spends a verified stream ticket: the first use opens a stream, any later one (on any
 * replica) is refused as if the ticket were invalid. A ticket without an id (issued before
 * tickets had one) cannot be spent. When PostgreSQL cannot record the use, the stream is
 * refused with 503: a ticket that might be replayed is not honoured.
 */
export async function useStreamTicket(
  db: Kysely<IdentityDatabase>,
  ticket: { jti?: string | undefined; exp?: number | undefined },
): Promise<void> {
  if (!ticket.jti || ticket.exp === undefined) {
    throw new UnauthorizedError('this stream ticket cannot be used; get a new one');
  }
  let first: boolean;
  try {
    first = await insertTicketUse(db, ticket.jti, new Date(ticket.exp * 1000));
  } catch (error) {
    const refusal = new DomainError(
      'unavailable',
      'stream-ticket-unavailable',
      'the stream ticket cannot be checked right now; try again shortly',
    );
    refusal.cause = error;
    throw refusal;
  }
  if (!first) throw new UnauthorizedError('this stream ticket was already used; get a new one');
}

/** Deletes the records of expired tickets; safe for several replicas to run at once. */
export async function pruneStreamTicketUses(db: Kysely<IdentityDatabase>): Promise<number> {
  return deleteExpiredTicketUses(db);
}
