import type { Kysely } from 'kysely';

// Frozen: a later change is a new migration file.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Which of the step's approvers the row shows: 0 as decided at submit, 1 after the
  // approval service re-resolved it at routing, 2 and up after each ApproverReassigned.
  // Events carry their number, so a late one never overwrites a newer approver.
  await db.schema
    .alterTable('expense_step')
    .addColumn('assignment', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
