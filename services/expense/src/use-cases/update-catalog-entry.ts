import type { AccessClaims, CatalogEntry, UpdateCatalogEntryRequest } from '@countersign/contracts';
import { ConflictError, NotFoundError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { findCatalogEntry, updateCatalogEntry as updateEntry } from '../db/money-queries.js';
import type { CatalogKind, ExpenseDatabase } from '../db/types.js';
import { recordAudit } from '../outbox/audit.js';
import { toCatalogEntry } from './list-catalog-entries.js';

/**
 * Renames, archives or restores a category or vendor. Expenses keep the name they were
 * filed with; an archived entry just cannot be chosen by new expenses.
 */
export async function updateCatalogEntry(
  deps: { db: Kysely<ExpenseDatabase>; now: () => Date },
  caller: AccessClaims,
  kind: CatalogKind,
  id: string,
  input: UpdateCatalogEntryRequest,
): Promise<CatalogEntry> {
  try {
    const updated = await deps.db.transaction().execute(async (trx) => {
      const before = await findCatalogEntry(trx, caller.company_id, kind, id);
      const after = await updateEntry(trx, caller.company_id, kind, id, {
        ...(input.name !== undefined ? { name: input.name } : {}),
        ...(input.archived !== undefined ? { archived: input.archived } : {}),
        updated_at: deps.now(),
      });
      if (after) {
        await recordAudit(trx, {
          companyId: caller.company_id,
          actor: { kind: 'user', id: caller.sub },
          action: `${kind}.updated`,
          entity: { type: kind, id },
          before,
          after,
        });
      }
      return after;
    });
    if (!updated) throw new NotFoundError(`no ${kind} ${id} in your company`);
    return toCatalogEntry(updated);
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ConflictError(`the ${kind} "${input.name}" is already listed`, `duplicate-${kind}`);
    }
    throw error;
  }
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23505';
}
