import type { AccessClaims } from '@countersign/contracts';
import { ForbiddenError, NotFoundError } from '@countersign/platform';
import type { Transaction } from 'kysely';
import type { ExpenseDatabase } from '../db/types.js';
import { findMemberRole, lockWorkspace } from '../db/workspace-queries.js';
import { memberManagementAccess } from '../domain/workspace-access.js';

/**
 * Locks a workspace whose members the caller may manage (its owners, the company's admins)
 * for the rest of the transaction. A reader who may not manage gets 403; anyone who may not
 * even see it, or another company, gets 404.
 */
export async function lockManagedWorkspace(
  trx: Transaction<ExpenseDatabase>,
  caller: AccessClaims,
  workspaceId: string,
) {
  const workspace = await lockWorkspace(trx, caller.company_id, workspaceId);
  const access = workspace
    ? memberManagementAccess(caller.role, await findMemberRole(trx, workspace.id, caller.sub))
    : 'hidden';
  if (!workspace || access === 'hidden') {
    throw new NotFoundError(`no workspace ${workspaceId} that you can see`);
  }
  if (access === 'forbidden') {
    throw new ForbiddenError("only the workspace's owners and company admins manage its members");
  }
  return workspace;
}
