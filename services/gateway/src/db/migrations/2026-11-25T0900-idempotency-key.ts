import { type Kysely, sql } from 'kysely';

// Frozen: a later change is a new migration file.
// One row per key a caller used on a creating POST: the request it was first used for
// (fingerprint), who holds it while it runs (claim token and lease), and its answer.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('idempotency_key')
    .addColumn('company_id', 'uuid', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull().check(sql`char_length(key) between 1 and 255`))
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('claim_token', 'uuid', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('lease_until', 'timestamptz')
    .addColumn('response_status', 'smallint')
    .addColumn('response_content_type', 'text')
    .addColumn('response_body', 'text')
    .addColumn('completed_at', 'timestamptz')
    .addPrimaryKeyConstraint('idempotency_key_pkey', ['company_id', 'subject', 'key'])
    .execute();
  // The prune deletes by age.
  await db.schema
    .createIndex('idempotency_key_created_at')
    .on('idempotency_key')
    .column('created_at')
    .execute();
}
