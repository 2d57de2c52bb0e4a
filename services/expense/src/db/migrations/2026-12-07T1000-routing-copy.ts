import { type Kysely, sql } from 'kysely';

// Frozen: a later change is a new migration file.
export async function up(db: Kysely<unknown>): Promise<void> {
  // The directory copy gains what routing reads: each person's level and manager (null on
  // rows written before, until the company's snapshot or a newer user event arrives).
  await db.schema
    .alterTable('person')
    .addColumn('level_id', 'uuid')
    .addColumn('manager_id', 'uuid')
    .execute();
  // (A submitter's team is found by the index `person_by_team` of the list indexes.)
  // The approval service's levels: `as_of` is when the name was last known (newer wins).
  await db.schema
    .createTable('routing_level')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('company_id', 'uuid', (c) => c.notNull())
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('as_of', 'timestamptz', (c) => c.notNull())
    .execute();
  // Each policy at the newest version seen; deactivation is final (never active again).
  await db.schema
    .createTable('routing_policy')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('company_id', 'uuid', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('category', 'text', (c) => c.notNull())
    .addColumn('active', 'boolean', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('rules', 'jsonb', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('routing_policy_active')
    .on('routing_policy')
    .column('company_id')
    .where(sql.ref('active'), '=', true)
    .execute();
  // A company whose copy is whole: a snapshot of it arrived. Until then submissions are
  // routed by the approval service over HTTP, as before.
  await db.schema
    .createTable('routing_company')
    .addColumn('company_id', 'uuid', (c) => c.primaryKey())
    .addColumn('snapshot_taken_at', 'timestamptz')
    .addColumn('requested_at', 'timestamptz')
    .execute();
}
