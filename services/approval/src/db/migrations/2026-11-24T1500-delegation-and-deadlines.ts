import { type Kysely, sql } from 'kysely';

// Frozen: a later change is a new migration file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('delegation')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('company_id', 'uuid', (c) => c.notNull())
    .addColumn('delegator_id', 'uuid', (c) => c.notNull())
    .addColumn('delegate_id', 'uuid', (c) => c.notNull())
    // Calendar days in UTC, both inclusive.
    .addColumn('starts_on', 'date', (c) => c.notNull())
    .addColumn('ends_on', 'date', (c) => c.notNull())
    .addColumn('max_amount', sql`numeric(12,2)`)
    .addColumn('categories', sql`text[]`)
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_by', 'uuid')
    .addForeignKeyConstraint(
      'delegation_delegator_same_company',
      ['delegator_id', 'company_id'],
      'person',
      ['id', 'company_id'],
    )
    .addForeignKeyConstraint(
      'delegation_delegate_same_company',
      ['delegate_id', 'company_id'],
      'person',
      ['id', 'company_id'],
    )
    .addCheckConstraint('delegation_not_to_oneself', sql`delegator_id <> delegate_id`)
    .addCheckConstraint('delegation_range', sql`starts_on <= ends_on`)
    .execute();
  // A delegate's queue looks up the delegations they received.
  await db.schema
    .createIndex('delegation_by_delegate')
    .on('delegation')
    .columns(['delegate_id', 'ends_on'])
    .where(sql.ref('revoked_at'), 'is', null)
    .execute();
  await db.schema
    .createIndex('delegation_by_delegator')
    .on('delegation')
    .columns(['delegator_id', 'ends_on'])
    .execute();
  // Who actually decided a step, when a delegate decided in the approver's name.
  await db.schema.alterTable('chain_step').addColumn('decided_by', 'uuid').execute();
  // The timer of each pending assignment: the row is the timer, so it survives restarts and
  // one replica claims it (FOR UPDATE SKIP LOCKED).
  await db.schema
    .createTable('step_deadline')
    .addColumn('expense_id', 'uuid', (c) => c.notNull())
    .addColumn('step', 'integer', (c) => c.notNull())
    .addColumn('approver_id', 'uuid', (c) => c.notNull())
    .addColumn('company_id', 'uuid', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c
        .notNull()
        .defaultTo('open')
        .check(sql`state in ('open', 'escalated', 'settled', 'exhausted')`),
    )
    .addColumn('closed_at', 'timestamptz')
    .addPrimaryKeyConstraint('step_deadline_pk', ['expense_id', 'step', 'approver_id'])
    .execute();
  await db.schema
    .createIndex('step_deadline_due')
    .on('step_deadline')
    .columns(['due_at'])
    .where(sql.ref('state'), '=', 'open')
    .execute();
}
