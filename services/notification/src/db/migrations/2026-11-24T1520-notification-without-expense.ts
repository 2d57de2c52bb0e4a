import type { Kysely } from 'kysely';

// Frozen: a later change is a new migration file.
export async function up(db: Kysely<unknown>): Promise<void> {
  // A delegation granted is about no expense: those notifications carry no expense id.
  await db.schema
    .alterTable('notification')
    .alterColumn('expense_id', (c) => c.dropNotNull())
    .execute();
}
