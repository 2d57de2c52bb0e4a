import type {
  AccessClaims,
  CatalogEntry,
  CatalogList,
  CatalogListQuery,
} from '@countersign/contracts';
import type { Kysely } from 'kysely';
import { listCatalog, type StoredCatalogEntry } from '../db/money-queries.js';
import type { CatalogKind, ExpenseDatabase } from '../db/types.js';

/** A company keeps tens of categories and vendors, not thousands: one unpaged list. */
export const MAX_CATALOG_LISTED = 1000;

/** The company's categories or vendors by name; archived ones only when asked for. */
export async function listCatalogEntries(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
  kind: CatalogKind,
  query: CatalogListQuery,
): Promise<CatalogList> {
  const rows = await listCatalog(
    db,
    caller.company_id,
    kind,
    query.include_archived,
    MAX_CATALOG_LISTED,
  );
  return { items: rows.map(toCatalogEntry) };
}

export function toCatalogEntry(row: StoredCatalogEntry): CatalogEntry {
  return {
    id: row.id,
    name: row.name,
    archived: row.archived,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}
