import { type Kysely, sql } from 'kysely';

// Frozen: a later change is a new migration file.
export async function up(db: Kysely<unknown>): Promise<void> {
  // The directory as this service needs it: who is finance, where to e-mail whom. A copy
  // kept from the user events, each row at the highest snapshot revision seen.
  await db.schema
    .createTable('person')
    .addColumn('user_id', 'uuid', (c) => c.primaryKey())
    .addColumn('company_id', 'uuid', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('active', 'boolean', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('person_by_company_role')
    .on('person')
    .columns(['company_id', 'role'])
    .where(sql.ref('active'), '=', true)
    .execute();
  // Only a person's departures from the defaults are stored.
  await db.schema
    .createTable('notification_preference')
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('company_id', 'uuid', (c) => c.notNull())
    .addColumn('in_app', 'boolean', (c) => c.notNull())
    .addColumn('email', 'text', (c) =>
      c.notNull().check(sql`email in ('immediately', 'daily_digest', 'off')`),
    )
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('notification_preference_pk', ['user_id', 'kind'])
    .execute();
  // Mail waits here, written with the notification it carries, until the relay sends it.
  await db.schema
    .createTable('mail_outbox')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('to_address', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('text_body', 'text', (c) => c.notNull())
    .addColumn('html_body', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('lease_until', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // One digest per person per UTC day, whichever replica's timer claims the row first.
  await db.schema
    .createTable('digest_sent')
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('pending_count', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('digest_sent_pk', ['user_id', 'day'])
    .execute();
  await db.schema
    .createIndex('notification_unread')
    .on('notification')
    .columns(['recipient_id'])
    .where(sql.ref('read_at'), 'is', null)
    .execute();
}
