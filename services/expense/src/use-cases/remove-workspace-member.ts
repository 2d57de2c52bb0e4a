import type { AccessClaims } from '@countersign/contracts';
import { NotFoundError, newEvent, UnprocessableError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import type { ExpenseDatabase } from '../db/types.js';
import { countOwners, deleteMember, findMemberRole } from '../db/workspace-queries.js';
import { wouldLeaveNoOwner } from '../domain/workspace-access.js';
import { enqueue } from '../outbox/enqueue.js';
import { lockManagedWorkspace } from './lock-managed-workspace.js';

/**
 * Removes a member from a workspace the caller manages; the last owner stays (422). Their
 * expenses filed in the workspace stay there.
 */
export async function removeWorkspaceMember(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
  workspaceId: string,
  userId: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await lockManagedWorkspace(trx, caller, workspaceId);
    const role = await findMemberRole(trx, workspaceId, userId);
    if (!role) throw new NotFoundError(`${userId} is not a member of this workspace`);
    if (wouldLeaveNoOwner(role, null, await countOwners(trx, workspaceId))) {
      throw new UnprocessableError('a workspace keeps at least one owner', 'last-owner');
    }
    await deleteMember(trx, workspaceId, userId);
    await enqueue(trx, [
      newEvent('WorkspaceMemberRemoved', {
        companyId: caller.company_id,
        actor: { kind: 'user', id: caller.sub },
        subject: workspaceId,
        data: { workspace_id: workspaceId, user_id: userId, previous_role: role },
      }),
    ]);
  });
}
