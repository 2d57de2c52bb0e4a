import { UnprocessableError } from '@countersign/platform';
import type { Kysely, Transaction } from 'kysely';
import { findCatalogEntryByName } from '../db/money-queries.js';
import type { CatalogKind, ExpenseDatabase } from '../db/types.js';

/**
 * The list's own spelling of a category or vendor an expense names; an unknown or archived
 * name is refused (422), so expenses only carry names the company manages.
 */
export async function requireCatalogName(
  db: Kysely<ExpenseDatabase> | Transaction<ExpenseDatabase>,
  companyId: string,
  kind: CatalogKind,
  name: string,
): Promise<string> {
  const entry = await findCatalogEntryByName(db, companyId, kind, name);
  const list = kind === 'category' ? '/api/categories' : '/api/vendors';
  if (!entry) {
    throw new UnprocessableError(
      `no ${kind} "${name}" in the company's list (${list})`,
      `unknown-${kind}`,
    );
  }
  if (entry.archived) {
    throw new UnprocessableError(`the ${kind} "${entry.name}" is archived`, `archived-${kind}`);
  }
  return entry.name;
}
