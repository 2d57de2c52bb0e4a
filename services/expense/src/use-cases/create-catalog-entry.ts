import type { AccessClaims, CatalogEntry, CreateCatalogEntryRequest } from '@countersign/contracts';
import { ConflictError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { insertCatalogEntry } from '../db/money-queries.js';
import type { CatalogKind, ExpenseDatabase } from '../db/types.js';
import { recordAudit } from '../outbox/audit.js';
import { toCatalogEntry } from './list-catalog-entries.js';

/** Adds a category or vendor to the caller's company; a name already listed (any case) is 409. */
export async function createCatalogEntry(
  deps: { db: Kysely<ExpenseDatabase>; now: () => Date },
  caller: AccessClaims,
  kind: CatalogKind,
  input: CreateCatalogEntryRequest,
): Promise<CatalogEntry> {
  const created = await deps.db.transaction().execute(async (trx) => {
    const entry = await insertCatalogEntry(trx, {
      id: uuidv7(),
      company_id: caller.company_id,
      kind,
      name: input.name,
      at: deps.now(),
    });
    if (entry) {
      await recordAudit(trx, {
        companyId: caller.company_id,
        actor: { kind: 'user', id: caller.sub },
        action: `${kind}.created`,
        entity: { type: kind, id: entry.id },
        after: entry,
      });
    }
    return entry;
  });
  if (!created)
    throw new ConflictError(`the ${kind} "${input.name}" is already listed`, `duplicate-${kind}`);
  return toCatalogEntry(created);
}
