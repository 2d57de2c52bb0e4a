import { type Kysely, sql } from 'kysely';

// Frozen: a later change is a new migration file.
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('credential').dropConstraint('credential_role_check').execute();
  await db.schema
    .alterTable('credential')
    .addCheckConstraint(
      'credential_role_check',
      sql`role in ('employee', 'manager', 'finance', 'admin', 'auditor')`,
    )
    .execute();
}
