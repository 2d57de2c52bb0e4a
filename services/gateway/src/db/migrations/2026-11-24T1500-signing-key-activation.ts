import { type Kysely, sql } from 'kysely';

// Frozen: a later change is a new migration file.
// Publish before sign: a key is published from created_at and signs from activates_at.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('signing_key')
    .addColumn('activates_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Keys made before this migration have signed since they were created.
  await (db as Kysely<{ signing_key: { activates_at: Date; created_at: Date } }>)
    .updateTable('signing_key')
    .set((eb) => ({ activates_at: eb.ref('created_at') }))
    .execute();
}
