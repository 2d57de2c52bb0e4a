import type { CompanyRegisteredV1 } from '@countersign/contracts';
import type { Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { ensureBaseCurrency, insertCatalogEntry } from '../db/money-queries.js';
import type { ExpenseDatabase } from '../db/types.js';

/**
 * A newly registered company starts on USD with the category "general", the one its
 * "General expenses" policy routes (the approval service creates that policy from the
 * same event). Both inserts ignore what is already there, so a replay changes nothing.
 */
export async function setUpCompanyMoney(
  trx: Transaction<ExpenseDatabase>,
  event: CompanyRegisteredV1,
): Promise<void> {
  await ensureBaseCurrency(trx, event.data.company_id);
  await insertCatalogEntry(trx, {
    id: uuidv7(),
    company_id: event.data.company_id,
    kind: 'category',
    name: 'general',
    at: new Date(event.occurred_at),
  });
}
