import type { AccessClaims, DeletedExpensePage, PageQuery } from '@countersign/contracts';
import { decodeCursor, toPage } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { listDeleted } from '../db/expense-lookup.js';
import type { ExpenseDatabase } from '../db/types.js';
import { toExpenseSummary } from '../domain/expense-summary.js';

const Cursor = z.object({ deleted_at: z.iso.datetime(), id: z.uuid() });

/** The company's soft-deleted expenses, most recently deleted first, for admins to restore. */
export async function listDeletedExpenses(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
  page: PageQuery,
): Promise<DeletedExpensePage> {
  const before = decodeCursor(Cursor, page.cursor);
  const rows = await listDeleted(
    db,
    caller.company_id,
    page.limit + 1,
    before ? { deletedAt: new Date(before.deleted_at), id: before.id } : undefined,
  );
  return toPage(
    rows,
    page.limit,
    (row) => ({
      ...toExpenseSummary(row),
      submitter_id: row.submitter_id,
      deleted_at: row.deleted_at.toISOString(),
      deleted_by: row.deleted_by,
    }),
    (row) => ({ deleted_at: row.deleted_at.toISOString(), id: row.id }),
  );
}
