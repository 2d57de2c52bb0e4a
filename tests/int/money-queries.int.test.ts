import { createDatabase, migrateSchema } from '@countersign/platform';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../services/expense/src/db/migrations/index.js';
import {
  findRateOn,
  insertCatalogEntry,
  insertExchangeRate,
  lockBaseCurrency,
} from '../../services/expense/src/db/money-queries.js';
import type { ExpenseDatabase } from '../../services/expense/src/db/types.js';
import { ensureIntDatabase, INT_DATABASE_URL } from '../support/int-database.js';

const schema = 'expense_money_int';
const company = '0197d000-0000-7000-8000-000000000001';
const legacy = '0197d000-0000-7000-8000-000000000100';
let db: Kysely<ExpenseDatabase>;

// The messaging migrations name the service's schema; this schema is a scratch one.
const domainMigrations = Object.fromEntries(
  Object.entries(migrations).filter(
    ([name]) => !/messaging|outbox|audit-trail|audit-chain|audit-checkpoints/.test(name),
  ),
);
const before = Object.fromEntries(
  Object.entries(domainMigrations).filter(([name]) => name < '2026-11-24T1700'),
);

beforeAll(async () => {
  await ensureIntDatabase();
  db = createDatabase<ExpenseDatabase>({ url: INT_DATABASE_URL, schema });
  await sql`drop schema if exists ${sql.id(schema)} cascade`.execute(db);
  await migrateSchema(db, schema, before);
  // An expense stored before currencies: submitted late on 20 November UTC.
  await sql`insert into ${sql.table(`${schema}.expense`)}
    (id, company_id, submitter_id, submitter_name, policy_id, policy_name, category, amount,
     description, status, submitted_at)
    values (${legacy}, ${company}, ${company}, 'Grace', ${company}, 'Small', 'equipment',
     '800.00', 'Laptop', 'pending', '2026-11-20T23:30:00Z')`.execute(db);
  await migrateSchema(db, schema, domainMigrations);
});
afterAll(async () => db?.destroy());

describe('the money migration', () => {
  it('gives companies with expenses a USD base currency row', async () => {
    const rows = await db
      .selectFrom('company_currency')
      .select(['company_id', 'base_currency'])
      .execute();
    expect(rows).toEqual([{ company_id: company, base_currency: 'USD' }]);
  });

  it('makes every earlier expense a USD expense at rate 1, spent on its UTC submit day', async () => {
    const row = await db
      .selectFrom('expense')
      .select([
        'currency',
        'base_currency',
        sql<string>`original_amount::text`.as('original_amount'),
        sql<string>`exchange_rate::text`.as('exchange_rate'),
        sql<string>`spend_date::text`.as('spend_date'),
        'rate_date',
        'source',
      ])
      .where('id', '=', legacy)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      currency: 'USD',
      base_currency: 'USD',
      original_amount: '800.000',
      exchange_rate: '1.0000000000',
      spend_date: '2026-11-20',
      rate_date: null,
      source: 'manual',
    });
  });
});

describe('rates and lists', () => {
  it('finds the pair’s latest rate dated on or before the day, and no other pair’s', async () => {
    const add = (currency: string, base: string, day: string, rate: string) =>
      insertExchangeRate(db, {
        id: crypto.randomUUID(),
        company_id: company,
        currency,
        base_currency: base,
        effective_on: day,
        rate,
        created_by: company,
        created_at: new Date(),
      });
    await add('EUR', 'USD', '2026-01-01', '1.1');
    await add('EUR', 'USD', '2026-06-01', '0.5');
    await add('EUR', 'GBP', '2026-03-01', '0.8');
    expect(await add('EUR', 'USD', '2026-06-01', '0.6')).toBeUndefined();
    const on = (day: string) => findRateOn(db, company, 'EUR', 'USD', day);
    expect(await on('2025-12-31')).toBeUndefined();
    expect(await on('2026-01-01')).toEqual({ rate: '1.1000000000', effective_on: '2026-01-01' });
    expect(await on('2026-05-31')).toEqual({ rate: '1.1000000000', effective_on: '2026-01-01' });
    expect(await on('2026-06-01')).toEqual({ rate: '0.5000000000', effective_on: '2026-06-01' });
    expect(await on('2030-01-01')).toMatchObject({ effective_on: '2026-06-01' });
  });

  it('lists every category earlier expenses used, so their clients go on working', async () => {
    const rows = await db
      .selectFrom('catalog_entry')
      .select(['company_id', 'kind', 'name', 'archived'])
      .execute();
    expect(rows).toEqual([
      { company_id: company, kind: 'category', name: 'equipment', archived: false },
    ]);
  });

  it('keeps one entry per name whatever its case, per list', async () => {
    const add = (kind: 'category' | 'vendor', name: string) =>
      insertCatalogEntry(db, {
        id: crypto.randomUUID(),
        company_id: company,
        kind,
        name,
        at: new Date(),
      });
    expect(await add('category', 'Travel')).toMatchObject({ name: 'Travel', archived: false });
    expect(await add('category', 'TRAVEL')).toBeUndefined();
    expect(await add('vendor', 'travel')).toMatchObject({ name: 'travel' });
  });
});

describe('the base currency lock', () => {
  it('makes a change wait for a submit that holds it, and submits not wait for each other', async () => {
    const fresh = '0197d000-0000-7000-8000-000000000002';
    // A company without a row gets one on first use.
    expect(await db.transaction().execute((trx) => lockBaseCurrency(trx, fresh, 'key share'))).toBe(
      'USD',
    );
    let releaseSubmit: () => void = () => {};
    const submitHolds = new Promise<void>((resolve) => {
      releaseSubmit = resolve;
    });
    let submitLocked: () => void = () => {};
    const locked = new Promise<void>((resolve) => {
      submitLocked = resolve;
    });
    const submit = db.transaction().execute(async (trx) => {
      const base = await lockBaseCurrency(trx, company, 'key share');
      submitLocked();
      await submitHolds;
      return base;
    });
    await locked;
    // A second submit takes the same shared lock at once.
    const second = await db
      .transaction()
      .execute((trx) => lockBaseCurrency(trx, company, 'key share'));
    expect(second).toBe('USD');
    let changed = false;
    const change = db.transaction().execute(async (trx) => {
      await lockBaseCurrency(trx, company, 'update');
      changed = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(changed).toBe(false);
    releaseSubmit();
    expect(await submit).toBe('USD');
    await change;
    expect(changed).toBe(true);
  });
});
