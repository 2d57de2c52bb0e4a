import type { AccessClaims, ExpensePage, PageQuery } from '@countersign/contracts';
import { decodeCursor, toPage } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { listBySubmitter } from '../db/expense-queries.js';
import type { ExpenseDatabase } from '../db/types.js';
import { storedMoney } from '../domain/price-expense.js';

const Cursor = z.object({ submitted_at: z.iso.datetime(), id: z.uuid() });

/** The caller's own expenses, newest first. */
export async function listMyExpenses(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
  page: PageQuery,
): Promise<ExpensePage> {
  const before = decodeCursor(Cursor, page.cursor);
  const rows = await listBySubmitter(
    db,
    caller.company_id,
    caller.sub,
    page.limit + 1,
    before ? { submittedAt: new Date(before.submitted_at), id: before.id } : undefined,
  );
  return toPage(
    rows,
    page.limit,
    (row) => ({
      id: row.id,
      amount: Number(row.original_amount),
      money: storedMoney(row),
      description: row.description,
      status: row.status,
      policy_name: row.policy_name,
      submitted_at: row.submitted_at.toISOString(),
      completed_at: row.completed_at?.toISOString() ?? null,
      workspace_id: row.workspace_id,
    }),
    (row) => ({ submitted_at: row.submitted_at.toISOString(), id: row.id }),
  );
}
