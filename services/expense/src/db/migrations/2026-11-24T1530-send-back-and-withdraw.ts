import { type Kysely, sql } from 'kysely';

// Frozen: a later change is a new migration file.
export async function up(db: Kysely<unknown>): Promise<void> {
  // The first migration's inline check is named by PostgreSQL's convention.
  await db.schema.alterTable('expense').dropConstraint('expense_status_check').execute();
  await db.schema
    .alterTable('expense')
    .addCheckConstraint(
      'expense_status_known',
      sql`status in ('pending', 'approved', 'rejected', 'refused', 'sent_back', 'withdrawn')`,
    )
    .execute();
  // Which submission the chain read model shows: events of an earlier round are ignored.
  await db.schema
    .alterTable('expense')
    .addColumn('round', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
  // The policy the submitter asked for (null: routed by category), so a resubmission
  // routes exactly as the submit did, with the submitter's edits.
  await db.schema.alterTable('expense').addColumn('requested_policy_id', 'uuid').execute();
}
