import type { AccessClaims } from '@countersign/contracts';
import { NotFoundError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import type { ExpenseDatabase } from '../db/types.js';
import { findWorkspaceFor } from '../db/workspace-queries.js';
import { mayReadWorkspace } from '../domain/workspace-access.js';

/**
 * The workspace, with the caller's role in it, if the caller may read it: its members and
 * the company-wide readers. Anyone else, and any other company, is told it does not exist.
 */
export async function findReadableWorkspace(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
  workspaceId: string,
) {
  const found = await findWorkspaceFor(db, caller.company_id, workspaceId, caller.sub);
  if (!found || !mayReadWorkspace(caller.role, found.my_role)) {
    throw new NotFoundError(`no workspace ${workspaceId} that you can see`);
  }
  return found;
}
