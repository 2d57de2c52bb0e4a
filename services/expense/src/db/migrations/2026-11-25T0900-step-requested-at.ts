import type { Kysely } from 'kysely';

// Frozen: a later change is a new migration file.
export async function up(db: Kysely<unknown>): Promise<void> {
  // When the seat was first asked (its ApprovalRequested), for time-to-approve reports.
  // Seats stored before this column stay null and are left out of those reports.
  await db.schema.alterTable('expense_step').addColumn('requested_at', 'timestamptz').execute();
  // The journal narrows a company's expenses by approval time (reports by spend date use
  // the list's `expense_by_company_spend_date`).
  await db.schema
    .createIndex('expense_by_company_completed_at')
    .on('expense')
    .columns(['company_id', 'completed_at'])
    .execute();
}
