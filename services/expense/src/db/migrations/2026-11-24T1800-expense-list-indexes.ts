import type { Kysely } from 'kysely';

// Frozen: a later change is a new migration file.
export async function up(db: Kysely<unknown>): Promise<void> {
  // The company-wide list in each of its orders: keyset pages walk these without sorting.
  // (Own lists use `expense_by_submitter`, workspace lists `expense_by_workspace`.)
  await db.schema
    .createIndex('expense_by_company_submitted')
    .on('expense')
    .columns(['company_id', 'submitted_at desc', 'id desc'])
    .execute();
  await db.schema
    .createIndex('expense_by_company_spend_date')
    .on('expense')
    .columns(['company_id', 'spend_date desc', 'id desc'])
    .execute();
  await db.schema
    .createIndex('expense_by_company_amount')
    .on('expense')
    .columns(['company_id', 'amount desc', 'id desc'])
    .execute();
  // The most common filter: what is still open (pending, sent back) or what was decided.
  await db.schema
    .createIndex('expense_by_company_status')
    .on('expense')
    .columns(['company_id', 'status', 'submitted_at desc', 'id desc'])
    .execute();
  // A manager's list reads the people of their team from the directory copy.
  await db.schema
    .createIndex('person_by_team')
    .on('person')
    .columns(['company_id', 'team_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const name of [
    'person_by_team',
    'expense_by_company_status',
    'expense_by_company_amount',
    'expense_by_company_spend_date',
    'expense_by_company_submitted',
  ])
    await db.schema.dropIndex(name).execute();
}
