import type { Kysely } from 'kysely';

// Frozen: a later change is a new migration file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('chain_step').addColumn('escalate_after_hours', 'integer').execute();
}
