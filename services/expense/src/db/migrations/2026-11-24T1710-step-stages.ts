import { type Kysely, sql } from 'kysely';

// Frozen: a later change is a new migration file.
// biome-ignore lint/suspicious/noExplicitAny: migrations see the schema as it was, untyped.
export async function up(db: Kysely<any>): Promise<void> {
  // The approval service's parallel stages, copied: the stage (policy step) an approver seat
  // belongs to, and whether one or all of the stage's seats must approve.
  await db.schema
    .alterTable('expense_step')
    .addColumn('stage', 'integer', (c) => c.check(sql`stage >= 1`))
    .addColumn('needs', 'text', (c) =>
      c.notNull().defaultTo('one').check(sql`needs in ('one', 'all')`),
    )
    .execute();
  // Rows stored before: each seat is its own stage.
  await db.updateTable('expense_step').set({ stage: sql`step` }).execute();
  await db.schema
    .alterTable('expense_step')
    .alterColumn('stage', (c) => c.setNotNull())
    .execute();
}
