import { type Kysely, sql } from 'kysely';

// Frozen: a later change is a new migration file.
// UNLOGGED: a rate-limit counter is not worth an fsync; after a crash it starts from zero.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rate_limit_counter')
    .modifyFront(sql`unlogged`)
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('window_seconds', 'integer', (c) => c.notNull())
    .addColumn('window_start', 'bigint', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('rate_limit_counter_pkey', ['key', 'window_seconds', 'window_start'])
    .execute();
}
