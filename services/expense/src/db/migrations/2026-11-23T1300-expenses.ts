import { type Kysely, sql } from 'kysely';

// Frozen: a later change is a new migration file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('expense')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('company_id', 'uuid', (c) => c.notNull())
    .addColumn('submitter_id', 'uuid', (c) => c.notNull())
    .addColumn('submitter_name', 'text', (c) => c.notNull())
    .addColumn('policy_id', 'uuid', (c) => c.notNull())
    .addColumn('policy_name', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('amount', sql`numeric(12,2)`, (c) => c.notNull().check(sql`amount > 0`))
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) =>
      c.notNull().check(sql`status in ('pending', 'approved', 'rejected', 'refused')`),
    )
    .addColumn('refusal_reason', 'text')
    .addColumn('submitted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('completed_at', 'timestamptz')
    .execute();
  // "My expenses", newest first, keyset-paged.
  await db.schema
    .createIndex('expense_by_submitter')
    .on('expense')
    .columns(['company_id', 'submitter_id', 'submitted_at desc', 'id desc'])
    .execute();
  await db.schema
    .createTable('expense_step')
    .addColumn('expense_id', 'uuid', (c) => c.notNull().references('expense.id'))
    .addColumn('step', 'integer', (c) => c.notNull())
    .addColumn('approver_id', 'uuid', (c) => c.notNull())
    .addColumn('approver_name', 'text', (c) => c.notNull())
    .addColumn('level_name', 'text', (c) => c.notNull())
    .addColumn('required', 'boolean', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'timestamptz')
    .addColumn('comments', 'text')
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('expense_step_pk', ['expense_id', 'step'])
    .execute();
}
