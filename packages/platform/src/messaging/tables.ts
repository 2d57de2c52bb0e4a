import type { ColumnType, Generated, Kysely, Migration } from 'kysely';
import { sql } from 'kysely';

export interface OutboxTable {
  id: Generated<string>;
  event_id: string;
  subject: string;
  payload: ColumnType<unknown, string, never>;
  traceparent: string | null;
  created_at: Generated<Date>;
  sent_at: Date | null;
  lease_until: Date | null;
}

export interface InboxTable {
  consumer: string;
  event_id: string;
  processed_at: Generated<Date>;
}

export interface DeadLetterTable {
  id: Generated<string>;
  consumer: string;
  subject: string;
  stream_sequence: string;
  event_id: string | null;
  payload: string;
  error: string;
  deliveries: number;
  created_at: Generated<Date>;
}

/** The tables every event-producing or event-consuming service keeps in its own schema. */
export interface MessagingTables {
  outbox: OutboxTable;
  inbox: InboxTable;
  dead_letter: DeadLetterTable;
}

/**
 * Frozen migration creating the outbox, inbox and dead-letter tables. Services list it
 * first among their migrations; a later change is a new migration, never an edit.
 */
export const messagingTablesV1: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('outbox')
      .addColumn('id', 'bigserial', (c) => c.primaryKey())
      .addColumn('event_id', 'uuid', (c) => c.notNull().unique())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('payload', 'jsonb', (c) => c.notNull())
      .addColumn('traceparent', 'text')
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addColumn('sent_at', 'timestamptz')
      .execute();
    // The relay only ever looks for unsent rows; keep that lookup small as the table grows.
    await db.schema
      .createIndex('outbox_unsent')
      .on('outbox')
      .column('id')
      .where(sql.ref('sent_at'), 'is', null)
      .execute();
    await db.schema
      .createTable('inbox')
      .addColumn('consumer', 'text', (c) => c.notNull())
      .addColumn('event_id', 'uuid', (c) => c.notNull())
      .addColumn('processed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addPrimaryKeyConstraint('inbox_pk', ['consumer', 'event_id'])
      .execute();
    await db.schema
      .createTable('dead_letter')
      .addColumn('id', 'bigserial', (c) => c.primaryKey())
      .addColumn('consumer', 'text', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('stream_sequence', 'bigint', (c) => c.notNull())
      .addColumn('event_id', 'uuid')
      .addColumn('payload', 'text', (c) => c.notNull())
      .addColumn('error', 'text', (c) => c.notNull())
      .addColumn('deliveries', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
      .addUniqueConstraint('dead_letter_once', ['consumer', 'stream_sequence'])
      .execute();
  },
};

/**
 * Frozen migration: a statement-level trigger NOTIFYs the relay when outbox rows commit
 * (saving every writer a round trip), and a lease column lets a relay claim rows in one
 * statement instead of holding a transaction open while it publishes.
 */
export function messagingTablesV2(schema: string): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('outbox').addColumn('lease_until', 'timestamptz').execute();
      // Raw SQL is not schema-bound by Kysely: qualify by hand.
      await sql`
        create function ${sql.id(schema, 'notify_outbox')}() returns trigger language plpgsql as $$
        begin
          perform pg_notify(tg_table_schema || '_outbox', '');
          return null;
        end $$`.execute(db);
      await sql`
        create trigger outbox_notify after insert on ${sql.id(schema, 'outbox')}
        for each statement execute function ${sql.id(schema, 'notify_outbox')}()`.execute(db);
    },
  };
}
