import { type Insertable, type Kysely, sql, type Transaction } from 'kysely';
import type { CatalogKind, ExchangeRateTable, ExpenseDatabase } from './types.js';

type Db = Kysely<ExpenseDatabase>;
type Trx = Transaction<ExpenseDatabase>;

/** A company without a row is on USD: every company's currency before currencies existed. */
export const DEFAULT_BASE_CURRENCY = 'USD';

export async function findBaseCurrency(db: Db, companyId: string): Promise<string> {
  const row = await db
    .selectFrom('company_currency')
    .select('base_currency')
    .where('company_id', '=', companyId)
    .executeTakeFirst();
  return row?.base_currency ?? DEFAULT_BASE_CURRENCY;
}

/** Gives the company its row (USD unless told otherwise) if it has none; changes nothing else. */
export async function ensureBaseCurrency(
  db: Db | Trx,
  companyId: string,
  baseCurrency = DEFAULT_BASE_CURRENCY,
): Promise<void> {
  await db
    .insertInto('company_currency')
    .values({ company_id: companyId, base_currency: baseCurrency })
    .onConflict((oc) => oc.column('company_id').doNothing())
    .execute();
}

/**
 * The base currency, held for the caller's transaction: `key share` for a submit (many at
 * once), `update` for a change, so a change and a submit are ordered one after the other.
 */
export async function lockBaseCurrency(
  trx: Trx,
  companyId: string,
  mode: 'key share' | 'update',
): Promise<string> {
  const read = () => {
    const query = trx
      .selectFrom('company_currency')
      .select('base_currency')
      .where('company_id', '=', companyId);
    return (mode === 'update' ? query.forUpdate() : query.forKeyShare()).executeTakeFirst();
  };
  const held = await read();
  if (held) return held.base_currency;
  // A company that never had a row (seeded or registered before currencies): give it its
  // USD row first. Only this first time do concurrent callers queue behind the insert.
  await ensureBaseCurrency(trx, companyId);
  const created = await read();
  if (!created) throw new Error(`company ${companyId} has no base currency row`);
  return created.base_currency;
}

export async function setBaseCurrency(trx: Trx, companyId: string, code: string): Promise<void> {
  await trx
    .updateTable('company_currency')
    .set({ base_currency: code, changed_at: sql`now()` })
    .where('company_id', '=', companyId)
    .execute();
}

export async function companyHasExpenses(db: Db | Trx, companyId: string): Promise<boolean> {
  const row = await db
    .selectFrom('expense')
    .select(sql<number>`1`.as('one'))
    .where('company_id', '=', companyId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

const rateColumns = [
  'id',
  'currency',
  'base_currency',
  sql<string>`effective_on::text`.as('effective_on'),
  sql<string>`rate::text`.as('rate'),
  'created_by',
  'created_at',
] as const;

export interface StoredRate {
  id: string;
  currency: string;
  base_currency: string;
  effective_on: string;
  rate: string;
  created_by: string;
  created_at: Date;
}

/** Adds a rate; undefined when the pair already has one on that day (the unique key). */
export async function insertExchangeRate(
  db: Db,
  row: Insertable<ExchangeRateTable>,
): Promise<StoredRate | undefined> {
  return db
    .insertInto('exchange_rate')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['company_id', 'currency', 'base_currency', 'effective_on']).doNothing(),
    )
    .returning(rateColumns)
    .executeTakeFirst();
}

/** The company's rates, newest day first; at most `limit`. */
export async function listExchangeRates(
  db: Db,
  companyId: string,
  currency: string | undefined,
  limit: number,
): Promise<StoredRate[]> {
  let query = db
    .selectFrom('exchange_rate')
    .select(rateColumns)
    .where('company_id', '=', companyId);
  if (currency !== undefined) query = query.where('currency', '=', currency);
  return query
    .orderBy('exchange_rate.effective_on', 'desc')
    .orderBy('exchange_rate.currency')
    .orderBy('exchange_rate.base_currency')
    .limit(limit)
    .execute();
}

/** The rate in force on `day`: the pair's latest rate dated on or before it. */
export async function findRateOn(
  db: Db,
  companyId: string,
  currency: string,
  baseCurrency: string,
  day: string,
): Promise<{ rate: string; effective_on: string } | undefined> {
  return db
    .selectFrom('exchange_rate')
    .select([
      sql<string>`rate::text`.as('rate'),
      sql<string>`effective_on::text`.as('effective_on'),
    ])
    .where('company_id', '=', companyId)
    .where('currency', '=', currency)
    .where('base_currency', '=', baseCurrency)
    .where('effective_on', '<=', sql<Date>`${day}::date`)
    .orderBy('exchange_rate.effective_on', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export interface StoredCatalogEntry {
  id: string;
  name: string;
  archived: boolean;
  created_at: Date;
  updated_at: Date;
}

const entryColumns = ['id', 'name', 'archived', 'created_at', 'updated_at'] as const;

/** Adds a category or vendor; undefined when the name (any case) is already on the list. */
export async function insertCatalogEntry(
  db: Db | Trx,
  entry: { id: string; company_id: string; kind: CatalogKind; name: string; at: Date },
): Promise<StoredCatalogEntry | undefined> {
  return (
    db
      .insertInto('catalog_entry')
      .values({
        id: entry.id,
        company_id: entry.company_id,
        kind: entry.kind,
        name: entry.name,
        created_at: entry.at,
        updated_at: entry.at,
      })
      // The unique index is on lower(name): the same name in another case is a duplicate.
      .onConflict((oc) => oc.expression(sql`company_id, kind, lower(name)`).doNothing())
      .returning(entryColumns)
      .executeTakeFirst()
  );
}

export async function listCatalog(
  db: Db,
  companyId: string,
  kind: CatalogKind,
  includeArchived: boolean,
  limit: number,
): Promise<StoredCatalogEntry[]> {
  let query = db
    .selectFrom('catalog_entry')
    .select(entryColumns)
    .where('company_id', '=', companyId)
    .where('kind', '=', kind);
  if (!includeArchived) query = query.where('archived', '=', false);
  return query.orderBy(sql`lower(name)`).orderBy('id').limit(limit).execute();
}

export async function findCatalogEntry(
  db: Db | Trx,
  companyId: string,
  kind: CatalogKind,
  id: string,
): Promise<StoredCatalogEntry | undefined> {
  return db
    .selectFrom('catalog_entry')
    .select(entryColumns)
    .where('company_id', '=', companyId)
    .where('kind', '=', kind)
    .where('id', '=', id)
    .executeTakeFirst();
}

/** The entry of that name, any case, archived or not. */
export async function findCatalogEntryByName(
  db: Db | Trx,
  companyId: string,
  kind: CatalogKind,
  name: string,
): Promise<StoredCatalogEntry | undefined> {
  return db
    .selectFrom('catalog_entry')
    .select(entryColumns)
    .where('company_id', '=', companyId)
    .where('kind', '=', kind)
    .where(sql`lower(name)`, '=', name.toLowerCase())
    .executeTakeFirst();
}

/** Renames or (un)archives; undefined when the id is not the company's entry of that kind. */
export async function updateCatalogEntry(
  db: Db,
  companyId: string,
  kind: CatalogKind,
  id: string,
  changes: { name?: string; archived?: boolean; updated_at: Date },
): Promise<StoredCatalogEntry | undefined> {
  return db
    .updateTable('catalog_entry')
    .set(changes)
    .where('company_id', '=', companyId)
    .where('kind', '=', kind)
    .where('id', '=', id)
    .returning(entryColumns)
    .executeTakeFirst();
}
