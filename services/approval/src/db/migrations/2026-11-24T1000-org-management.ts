import { type Kysely, sql } from 'kysely';

// Frozen: a later change is a new migration file.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Existing people get the least-privileged role; the demo seed sets the real ones.
  await db.schema
    .alterTable('person')
    .addColumn('role', 'text', (c) =>
      c
        .notNull()
        .defaultTo('employee')
        .check(sql`role in ('employee', 'manager', 'finance', 'admin', 'auditor')`),
    )
    .addColumn('manager_id', 'uuid')
    .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(1).check(sql`revision >= 1`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('deactivated_at', 'timestamptz')
    .execute();
  // A manager is a person of the same company: the pair (manager_id, company_id) must exist.
  await db.schema
    .alterTable('person')
    .addUniqueConstraint('person_id_company', ['id', 'company_id'])
    .execute();
  await db.schema
    .alterTable('person')
    .addForeignKeyConstraint(
      'person_manager_same_company',
      ['manager_id', 'company_id'],
      'person',
      ['id', 'company_id'],
    )
    .execute();
  await db.schema
    .alterTable('person')
    .addCheckConstraint('person_not_own_manager', sql`manager_id is null or manager_id <> id`)
    .execute();
  await db.schema.createIndex('person_manager').on('person').column('manager_id').execute();
  // The admin list behind "the company keeps at least one active admin".
  await db.schema
    .createIndex('person_company_role')
    .on('person')
    .columns(['company_id', 'role'])
    .where(sql.ref('active'), '=', true)
    .execute();
  // Which of a person's steps are still open, when they leave or move.
  await db.schema
    .createIndex('chain_step_open_by_approver')
    .on('chain_step')
    .columns(['approver_id', 'expense_id'])
    .where(sql.ref('status'), 'in', ['pending', 'waiting'])
    .execute();
  // How many approvers a step has had: 1 is the one chosen at routing.
  await db.schema
    .alterTable('chain_step')
    .addColumn('assignment', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();
}
