import { type Kysely, sql, type Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { OutboxBacklog } from '../metrics/service-metrics.js';
import type { Mail, MailOutboxTables } from './mail.js';

/**
 * A service's database seen only as its mail outbox. Kysely's database type is not
 * covariant, so callers pass `db as unknown as MailDb` once, at the relay's construction.
 */
export type MailDb = Kysely<MailOutboxTables>;

/** Queues a message in the caller's transaction; the mail relay sends it after commit. */
export async function queueMail<DB extends MailOutboxTables>(
  trx: Transaction<DB>,
  mail: Mail,
): Promise<void> {
  await (trx as unknown as Transaction<MailOutboxTables>)
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
export function leaseMail(db: MailDb, limit: number, leaseMs: number) {
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

/** Sent mail is deleted: codes and personal details in it must not linger in the database. */
export async function deleteSent(db: MailDb, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom('mail_outbox').where('id', 'in', ids).execute();
}

export async function deferFailed(
  db: MailDb,
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

/** Mail waiting to be sent (sent mail is deleted), and the oldest one's age: for metrics. */
export async function mailBacklog(db: MailDb): Promise<OutboxBacklog> {
  const row = await db
    .selectFrom('mail_outbox')
    .select([
      sql<number>`count(*)::int`.as('rows'),
      sql<number>`coalesce(extract(epoch from now() - min(created_at)), 0)::float8`.as('oldest'),
    ])
    .executeTakeFirstOrThrow();
  return { rows: row.rows, oldestSeconds: row.oldest };
}
