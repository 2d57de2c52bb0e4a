import { type Kysely, sql } from 'kysely';

// Frozen: a later change is a new migration file.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Warnings of the policy's matching flag rules, shown to approvers; null before rules.
  await db.schema.alterTable('expense').addColumn('flags', sql`text[]`).execute();
}
