import type { Kysely } from 'kysely';

// Frozen: a later change is a new migration file.
export async function up(db: Kysely<unknown>): Promise<void> {
  // The delegate who decided the step in its approver's name (null: the approver did).
  await db.schema.alterTable('expense_step').addColumn('decided_by', 'uuid').execute();
}
