import type { AccessClaims, PageQuery, WorkspaceExpensePage } from '@countersign/contracts';
import { decodeCursor, toPage } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { ExpenseDatabase } from '../db/types.js';
import { listWorkspaceExpenses as listExpenseRows } from '../db/workspace-queries.js';
import { toExpenseSummary } from '../domain/expense-summary.js';
import { findReadableWorkspace } from './find-readable-workspace.js';

const Cursor = z.object({ submitted_at: z.iso.datetime(), id: z.uuid() });

/** The expenses filed in a workspace, newest first, for its members and company-wide readers. */
export async function listWorkspaceExpenses(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
  workspaceId: string,
  page: PageQuery,
): Promise<WorkspaceExpensePage> {
  await findReadableWorkspace(db, caller, workspaceId);
  const before = decodeCursor(Cursor, page.cursor);
  const rows = await listExpenseRows(
    db,
    caller.company_id,
    workspaceId,
    page.limit + 1,
    before ? { submittedAt: new Date(before.submitted_at), id: before.id } : undefined,
  );
  return toPage(
    rows,
    page.limit,
    (row) => ({
      ...toExpenseSummary(row),
      category: row.category,
      submitter_id: row.submitter_id,
      submitter_name: row.submitter_name,
    }),
    (row) => ({ submitted_at: row.submitted_at.toISOString(), id: row.id }),
  );
}
