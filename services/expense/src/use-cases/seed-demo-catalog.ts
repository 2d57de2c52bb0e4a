import { demoCategories, demoCompany, demoVendors } from '@countersign/demo-data';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { ensureBaseCurrency, insertCatalogEntry } from '../db/money-queries.js';
import type { ExpenseDatabase } from '../db/types.js';

/**
 * TechCorp's base currency (USD), its categories (those its policies route) and a few
 * vendors. Every insert ignores what is there, so replicas starting together seed once.
 */
export async function seedDemoCatalog(db: Kysely<ExpenseDatabase>, now: Date): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await ensureBaseCurrency(trx, demoCompany.id, 'USD');
    for (const [kind, names] of [
      ['category', demoCategories],
      ['vendor', demoVendors],
    ] as const) {
      for (const name of names) {
        await insertCatalogEntry(trx, {
          id: uuidv7(),
          company_id: demoCompany.id,
          kind,
          name,
          at: now,
        });
      }
    }
  });
}
