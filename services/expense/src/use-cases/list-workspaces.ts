import type { AccessClaims, WorkspaceListQuery, WorkspacePage } from '@countersign/contracts';
import { decodeCursor, ForbiddenError, toPage } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { ExpenseDatabase } from '../db/types.js';
import { listWorkspaces as listWorkspaceRows } from '../db/workspace-queries.js';
import { mayListCompanyWorkspaces } from '../domain/workspace-access.js';

const Cursor = z.object({ id: z.uuid() });

/**
 * The caller's workspaces with their role in each, newest first; with `scope=company`, every
 * workspace of the company, for the roles that read all of them.
 */
export async function listWorkspaces(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
  query: WorkspaceListQuery,
): Promise<WorkspacePage> {
  const everyOne = query.scope === 'company';
  if (everyOne && !mayListCompanyWorkspaces(caller.role)) {
    throw new ForbiddenError(`the ${caller.role} role cannot list every workspace of the company`);
  }
  const before = decodeCursor(Cursor, query.cursor);
  const rows = await listWorkspaceRows(db, caller.company_id, caller.sub, {
    everyOne,
    limit: query.limit + 1,
    ...(before ? { beforeId: before.id } : {}),
  });
  return toPage(
    rows,
    query.limit,
    (row) => ({
      id: row.id,
      name: row.name,
      description: row.description,
      created_by: row.created_by,
      created_at: row.created_at.toISOString(),
      my_role: row.my_role,
    }),
    (row) => ({ id: row.id }),
  );
}
