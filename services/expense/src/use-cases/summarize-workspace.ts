import { type AccessClaims, ExpenseStatus, type WorkspaceSummary } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import type { ExpenseDatabase } from '../db/types.js';
import { totalWorkspaceExpenses } from '../db/workspace-queries.js';
import { findReadableWorkspace } from './find-readable-workspace.js';

/**
 * Counts and amounts of a workspace's expenses by status, by category and overall, added
 * up by the database. Every status a filed expense can have is listed, with zeros where
 * there is none; drafts (not filed until submitted) and deleted expenses are not counted.
 */
export async function summarizeWorkspace(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
  workspaceId: string,
): Promise<WorkspaceSummary> {
  await findReadableWorkspace(db, caller, workspaceId);
  const rows = await totalWorkspaceExpenses(db, caller.company_id, workspaceId);
  const total = (row: { count: string; amount: string } | undefined) => ({
    count: Number(row?.count ?? 0),
    amount: row?.amount ?? '0.00',
  });
  const byStatus = rows.filter((r) => r.all_statuses === 0);
  const byCategory = rows.filter((r) => r.all_categories === 0);
  return {
    workspace_id: workspaceId,
    by_status: ExpenseStatus.options
      .filter((status) => status !== 'draft')
      .map((status) => ({
        status,
        ...total(byStatus.find((r) => r.status === status)),
      })),
    by_category: byCategory
      .map((r) => ({ category: r.category ?? '', ...total(r) }))
      .sort((a, b) => a.category.localeCompare(b.category)),
    overall: total(rows.find((r) => r.all_statuses === 1 && r.all_categories === 1)),
  };
}
