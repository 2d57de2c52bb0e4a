import { type Kysely, sql } from 'kysely';

// Frozen: a later change is a new migration file.
export async function up(db: Kysely<unknown>): Promise<void> {
  // A company's base currency; a company without a row is on USD (the demo's and every
  // company's before currencies existed).
  await db.schema
    .createTable('company_currency')
    .addColumn('company_id', 'uuid', (c) => c.primaryKey())
    .addColumn('base_currency', 'text', (c) => c.notNull())
    .addColumn('changed_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  // Dated rates: units of base_currency per unit of currency, from effective_on until the
  // next rate of the same pair. Never updated: a correction is a rate of a later date.
  await db.schema
    .createTable('exchange_rate')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('company_id', 'uuid', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('base_currency', 'text', (c) => c.notNull())
    .addColumn('effective_on', 'date', (c) => c.notNull())
    .addColumn('rate', sql`numeric(19, 10)`, (c) => c.notNull().check(sql`rate > 0`))
    .addColumn('created_by', 'uuid', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('exchange_rate_pair_differs', sql`currency <> base_currency`)
    .addUniqueConstraint('exchange_rate_one_per_day', [
      'company_id',
      'currency',
      'base_currency',
      'effective_on',
    ])
    .execute();
  // Categories and vendors: one table, told apart by kind; names unique per company and
  // kind whatever their case.
  await db.schema
    .createTable('catalog_entry')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('company_id', 'uuid', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('category', 'vendor')`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('archived', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('catalog_entry_name_unique')
    .on('catalog_entry')
    .unique()
    .expression(sql`company_id, kind, lower(name)`)
    .execute();

  // What the expense cost in its own currency and how it became the base amount. `amount`
  // stays the base-currency amount that policies and reports use.
  await db.schema
    .alterTable('expense')
    .addColumn('currency', 'text', (c) => c.notNull().defaultTo('USD'))
    .addColumn('original_amount', sql`numeric(15, 3)`)
    .addColumn('base_currency', 'text', (c) => c.notNull().defaultTo('USD'))
    .addColumn('exchange_rate', sql`numeric(19, 10)`, (c) => c.notNull().defaultTo(1))
    .addColumn('rate_date', 'date')
    .addColumn('spend_date', 'date')
    .addColumn('vendor', 'text')
    .addColumn('source', 'text', (c) =>
      c.notNull().defaultTo('manual').check(sql`source in ('manual', 'receipt')`),
    )
    .execute();
  // Every expense so far was in USD, on the company's USD base, spent on its submit day.
  await (db as Kysely<Record<string, Record<string, unknown>>>)
    .updateTable('expense')
    .set({
      original_amount: sql`amount`,
      spend_date: sql`(submitted_at at time zone 'UTC')::date`,
    })
    .execute();
  await db.schema
    .alterTable('expense')
    .alterColumn('original_amount', (c) => c.setNotNull())
    .execute();
  // Companies with expenses get their (USD) row now, so submits only ever read it.
  const untyped = db as Kysely<Record<string, Record<string, unknown>>>;
  await untyped
    .insertInto('company_currency')
    .columns(['company_id', 'base_currency'])
    .expression(
      untyped
        .selectFrom('expense')
        .select(['company_id', sql<string>`'USD'`.as('base')])
        .distinct(),
    )
    .execute();
  await db.schema
    .alterTable('expense')
    .alterColumn('spend_date', (c) => c.setNotNull())
    .execute();
}
