import type { Kysely } from 'kysely';

// Frozen: a later change is a new migration file.
export async function up(db: Kysely<unknown>): Promise<void> {
  // A step may name who takes it when overdue, before the next level up is tried.
  await db.schema.alterTable('chain_step').addColumn('escalate_to', 'uuid').execute();
}
