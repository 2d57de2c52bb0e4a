import { type Kysely, sql } from 'kysely';

type Tables = Record<string, Record<string, unknown>>;

// Frozen: a later change is a new migration file.
export async function up(db: Kysely<unknown>): Promise<void> {
  // Expenses name categories from the company's list since currencies came in: a company
  // that filed expenses before keeps every category it used, so its clients go on working.
  // (Query builder, not raw SQL: the migrator binds the tables to the service's schema.)
  const tables = db as Kysely<Tables>;
  await tables
    .insertInto('catalog_entry')
    .columns(['id', 'company_id', 'kind', 'name', 'created_at', 'updated_at'])
    .expression(
      tables
        .selectFrom('expense')
        .select([
          sql`gen_random_uuid()`.as('id'),
          'company_id',
          sql`'category'`.as('kind'),
          sql`min(category)`.as('name'),
          sql`now()`.as('created_at'),
          sql`now()`.as('updated_at'),
        ])
        .where('category', 'is not', null)
        .where(sql<boolean>`btrim(category) <> ''`)
        .groupBy(['company_id', sql`lower(category)`]),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}
