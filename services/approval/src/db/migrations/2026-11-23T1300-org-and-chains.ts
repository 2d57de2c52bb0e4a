import { type Kysely, sql } from 'kysely';

// Frozen: a later change is a new migration file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('company')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('team')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('company_id', 'uuid', (c) => c.notNull().references('company.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addUniqueConstraint('team_name_unique', ['company_id', 'name'])
    .execute();
  await db.schema
    .createTable('level')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('company_id', 'uuid', (c) => c.notNull().references('company.id'))
    .addColumn('number', 'integer', (c) => c.notNull().check(sql`number between 1 and 20`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addUniqueConstraint('level_number_unique', ['company_id', 'number'])
    .execute();
  await db.schema
    .createTable('person')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('company_id', 'uuid', (c) => c.notNull().references('company.id'))
    .addColumn('team_id', 'uuid', (c) => c.notNull().references('team.id'))
    .addColumn('level_id', 'uuid', (c) => c.notNull().references('level.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addUniqueConstraint('person_email_unique', ['company_id', 'email'])
    .execute();
  await db.schema.createIndex('person_team').on('person').columns(['team_id', 'active']).execute();
  await db.schema
    .createTable('policy')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('company_id', 'uuid', (c) => c.notNull().references('company.id'))
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('min_amount', sql`numeric(12,2)`, (c) => c.notNull().defaultTo(0))
    .addColumn('max_amount', sql`numeric(12,2)`)
    .addColumn('active', 'boolean', (c) => c.notNull().defaultTo(true))
    .addCheckConstraint('policy_range', sql`max_amount is null or min_amount <= max_amount`)
    .execute();
  await db.schema
    .createIndex('policy_company_category')
    .on('policy')
    .columns(['company_id', 'category'])
    .execute();
  await db.schema
    .createTable('policy_step')
    .addColumn('policy_id', 'uuid', (c) => c.notNull().references('policy.id'))
    .addColumn('step_order', 'integer', (c) => c.notNull().check(sql`step_order > 0`))
    .addColumn('required_level', 'integer', (c) => c.notNull())
    .addColumn('team_scope', 'text', (c) =>
      c.notNull().defaultTo('submitter').check(sql`team_scope in ('submitter', 'company')`),
    )
    .addColumn('required', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('description', 'text')
    .addPrimaryKeyConstraint('policy_step_pk', ['policy_id', 'step_order'])
    .execute();
  await db.schema
    .createTable('chain')
    .addColumn('expense_id', 'uuid', (c) => c.primaryKey())
    .addColumn('company_id', 'uuid', (c) => c.notNull())
    .addColumn('submitter_id', 'uuid', (c) => c.notNull())
    .addColumn('submitter_name', 'text', (c) => c.notNull())
    .addColumn('policy_id', 'uuid', (c) => c.notNull())
    .addColumn('policy_name', 'text', (c) => c.notNull())
    .addColumn('amount', sql`numeric(12,2)`, (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('completed_at', 'timestamptz')
    .execute();
  await db.schema
    .createTable('chain_step')
    .addColumn('expense_id', 'uuid', (c) => c.notNull().references('chain.expense_id'))
    .addColumn('step', 'integer', (c) => c.notNull())
    .addColumn('approver_id', 'uuid', (c) => c.notNull())
    .addColumn('approver_name', 'text', (c) => c.notNull())
    .addColumn('level_number', 'integer', (c) => c.notNull())
    .addColumn('level_name', 'text', (c) => c.notNull())
    .addColumn('required', 'boolean', (c) => c.notNull())
    .addColumn('required_level', 'integer', (c) => c.notNull())
    .addColumn('team_scope', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'timestamptz')
    .addColumn('decided_at', 'timestamptz')
    .addColumn('comments', 'text')
    .addPrimaryKeyConstraint('chain_step_pk', ['expense_id', 'step'])
    .execute();
  // The approver's queue: their pending steps, oldest first.
  await db.schema
    .createIndex('chain_step_queue')
    .on('chain_step')
    .columns(['approver_id', 'requested_at', 'expense_id'])
    .where(sql.ref('status'), '=', 'pending')
    .execute();
}
