import { type Kysely, sql } from 'kysely';

// Frozen: a later change is a new migration file.
export async function up(db: Kysely<unknown>): Promise<void> {
  // The expense service's copy of the approval service's directory, fed by user events.
  await db.schema
    .createTable('person')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('company_id', 'uuid', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('team_id', 'uuid', (c) => c.notNull())
    .addColumn('active', 'boolean', (c) => c.notNull())
    .addColumn('revision', 'integer', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('workspace')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('company_id', 'uuid', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('created_by', 'uuid', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('workspace_name_unique', ['company_id', 'name'])
    .execute();
  // A company's workspaces, newest first (ids are UUIDv7), keyset-paged.
  await db.schema
    .createIndex('workspace_by_company')
    .on('workspace')
    .columns(['company_id', 'id desc'])
    .execute();
  await db.schema
    .createTable('workspace_member')
    .addColumn('workspace_id', 'uuid', (c) => c.notNull().references('workspace.id'))
    .addColumn('user_id', 'uuid', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('owner', 'member', 'viewer')`))
    .addColumn('added_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('workspace_member_pk', ['workspace_id', 'user_id'])
    .execute();
  // "My workspaces": from the member to their workspaces.
  await db.schema
    .createIndex('workspace_member_by_user')
    .on('workspace_member')
    .columns(['user_id', 'workspace_id'])
    .execute();
  await db.schema
    .alterTable('expense')
    .addColumn('workspace_id', 'uuid', (c) => c.references('workspace.id'))
    .execute();
  // A workspace's expenses, newest first, keyset-paged; also serves its summary.
  await db.schema
    .createIndex('expense_by_workspace')
    .on('expense')
    .columns(['workspace_id', 'submitted_at desc', 'id desc'])
    .where(sql.ref('workspace_id'), 'is not', null)
    .execute();
}
