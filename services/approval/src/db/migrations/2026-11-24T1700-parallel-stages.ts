import { type Kysely, sql } from 'kysely';

// Frozen: a later change is a new migration file.
// biome-ignore lint/suspicious/noExplicitAny: migrations see the schema as it was, untyped.
export async function up(db: Kysely<any>): Promise<void> {
  // Each approver seat stays its own row (own step number and id); the seats of one policy
  // step share a stage and are asked together. `approver_rule` is the step's own rule, so
  // re-routing finds a replacement who satisfies it (role, named user or level).
  await db.schema
    .alterTable('chain_step')
    .addColumn('stage', 'integer', (c) => c.check(sql`stage >= 1`))
    .addColumn('needs', 'text', (c) =>
      c.notNull().defaultTo('one').check(sql`needs in ('one', 'all')`),
    )
    .addColumn('approver_rule', 'jsonb')
    .execute();
  // Rows stored before: one seat per stage, and the level rule they were re-routed by.
  await db
    .updateTable('chain_step')
    .set({
      stage: sql`step`,
      approver_rule: sql`jsonb_build_object('by', 'level', 'level', required_level, 'scope',
        case when team_scope = 'company' then 'company' else 'submitter_team' end)`,
    })
    .execute();
  await db.schema
    .alterTable('chain_step')
    .alterColumn('stage', (c) => c.setNotNull())
    .alterColumn('approver_rule', (c) => c.setNotNull())
    .execute();
}
