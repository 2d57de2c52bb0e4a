import { type Kysely, sql, type Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Mail } from '../domain/mail-templates.js';
import type { IdentityDatabase } from './types.js';

/** Queues a message in the caller's transaction; the mail relay sends it after commit. */
export async function queueMail(trx: Transaction<IdentityDatabase>, mail: Mail): Promise<void> {
  await trx
    .insertInto('mail_outbox')
    .values({
      id: uuidv7(),
      to_address: mail.to,
      subject: mail.subject,
      text_body: mail.text,
      html_body: mail.html,
    })
    .execute();
}

/**
 * Leases up to `limit` queued messages for this relay, skipping rows another replica holds,
 * in one statement.
 */
export function leaseMail(db: Kysely<IdentityDatabase>, limit: number, leaseMs: number) {
  return db
    .updateTable('mail_outbox')
    .set({ lease_until: sql`now() + ${`${leaseMs} milliseconds`}::interval` })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('mail_outbox')
        .select('id')
        .where((w) => w.or([w('lease_until', 'is', null), w('lease_until', '<', sql<Date>`now()`)]))
        .orderBy('created_at')
        .limit(limit)
        .forUpdate()
        .skipLocked(),
    )
    .returning(['id', 'to_address', 'subject', 'text_body', 'html_body', 'attempts'])
    .execute();
}

/** Sent mail is deleted: codes in it must not linger in the database. */
export async function deleteSent(db: Kysely<IdentityDatabase>, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom('mail_outbox').where('id', 'in', ids).execute();
}

export async function deferFailed(
  db: Kysely<IdentityDatabase>,
  id: string,
  error: string,
  retryInMs: number,
): Promise<void> {
  await db
    .updateTable('mail_outbox')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      last_error: error.slice(0, 500),
      lease_until: sql`now() + ${`${retryInMs} milliseconds`}::interval`,
    }))
    .where('id', '=', id)
    .execute();
}
