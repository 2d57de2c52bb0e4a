import { type Kysely, sql } from 'kysely';

// Frozen: a later change is a new migration file.
// One row per stream ticket used to open a stream: the primary key makes a ticket
// single-use across every gateway replica. Rows are pruned once the ticket has expired.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('stream_ticket_use')
    .addColumn('ticket_id', 'text', (c) =>
      c.primaryKey().check(sql`char_length(ticket_id) between 1 and 64`),
    )
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('stream_ticket_use_expires_at')
    .on('stream_ticket_use')
    .column('expires_at')
    .execute();
}
