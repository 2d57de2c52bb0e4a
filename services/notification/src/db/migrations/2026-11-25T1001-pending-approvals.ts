import { type Kysely, sql } from 'kysely';

// Frozen: a later change is a new migration file.
export async function up(db: Kysely<unknown>): Promise<void> {
  // The approvals waiting for someone, as the approval events tell it: what the daily
  // digest lists. One row per seat (expense, round, step) until it is settled.
  await db.schema
    .createTable('pending_approval')
    .addColumn('expense_id', 'uuid', (c) => c.notNull())
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('step', 'integer', (c) => c.notNull())
    .addColumn('company_id', 'uuid', (c) => c.notNull())
    .addColumn('approver_id', 'uuid', (c) => c.notNull())
    .addColumn('submitter_name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('amount', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('pending_approval_pk', ['expense_id', 'round', 'step'])
    .execute();
  await db.schema
    .createIndex('pending_approval_by_approver')
    .on('pending_approval')
    .columns(['approver_id', 'requested_at'])
    .execute();
  // What is settled stays settled: a request redelivered after its decision (or after the
  // round closed, step 0) adds nothing back.
  await db.schema
    .createTable('settled_approval')
    .addColumn('expense_id', 'uuid', (c) => c.notNull())
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('step', 'integer', (c) => c.notNull())
    .addColumn('settled_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('settled_approval_pk', ['expense_id', 'round', 'step'])
    .execute();
}
