import { type Kysely, sql } from 'kysely';

// Frozen: a later change is a new migration file.
export async function up(db: Kysely<unknown>): Promise<void> {
  // A policy rule may block an expense: it is stored, final, so the attempt is on record.
  await db.schema.alterTable('expense').dropConstraint('expense_status_known').execute();
  await db.schema
    .alterTable('expense')
    .addCheckConstraint(
      'expense_status_known',
      sql`status in ('pending', 'approved', 'rejected', 'refused', 'sent_back', 'withdrawn', 'blocked')`,
    )
    .execute();
}
