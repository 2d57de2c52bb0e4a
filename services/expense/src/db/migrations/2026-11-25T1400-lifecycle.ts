import { type Kysely, sql } from 'kysely';

// Frozen: a later change is a new migration file.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Drafts (stored unrouted) and paid expenses (finance paid an approved one).
  await db.schema.alterTable('expense').dropConstraint('expense_status_known').execute();
  await db.schema
    .alterTable('expense')
    .addCheckConstraint(
      'expense_status_known',
      sql`status in ('draft', 'pending', 'approved', 'rejected', 'refused', 'sent_back', 'withdrawn', 'blocked', 'paid')`,
    )
    .execute();
  // A draft is not routed: its policy is chosen at submit, and its category may be too
  // (a draft that names a policy). Every routed expense still has all three.
  await db.schema
    .alterTable('expense')
    .alterColumn('policy_id', (c) => c.dropNotNull())
    .alterColumn('policy_name', (c) => c.dropNotNull())
    .alterColumn('category', (c) => c.dropNotNull())
    .execute();
  await db.schema
    .alterTable('expense')
    .addCheckConstraint(
      'expense_routed_has_policy',
      sql`status = 'draft' or (policy_id is not null and policy_name is not null and category is not null)`,
    )
    .execute();
  // Soft delete: hidden from every list, kept, restorable by an admin.
  await db.schema
    .alterTable('expense')
    .addColumn('deleted_at', 'timestamptz')
    .addColumn('deleted_by', 'uuid')
    .execute();
  await db.schema
    .alterTable('expense')
    .addCheckConstraint('expense_deleted_by_whom', sql`(deleted_at is null) = (deleted_by is null)`)
    .execute();
  // A payout: one batch of expenses finance paid together.
  await db.schema
    .createTable('payout')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('company_id', 'uuid', (c) => c.notNull())
    .addColumn('reference', 'text')
    .addColumn('created_by', 'uuid', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('payout_reference_unique', ['company_id', 'reference'])
    .execute();
  await db.schema
    .alterTable('expense')
    .addColumn('payout_id', 'uuid', (c) => c.references('payout.id'))
    .addColumn('paid_at', 'timestamptz')
    .addColumn('paid_by', 'uuid')
    .execute();
  await db.schema
    .alterTable('expense')
    .addCheckConstraint(
      'expense_paid_in_a_payout',
      sql`(status = 'paid') = (payout_id is not null and paid_at is not null and paid_by is not null)`,
    )
    .execute();
  await db.schema
    .createIndex('expense_by_payout')
    .on('expense')
    .column('payout_id')
    .where(sql.ref('payout_id'), 'is not', null)
    .execute();
  await db.schema
    .createIndex('expense_deleted_by_company')
    .on('expense')
    .columns(['company_id', 'deleted_at'])
    .where(sql.ref('deleted_at'), 'is not', null)
    .execute();
}
