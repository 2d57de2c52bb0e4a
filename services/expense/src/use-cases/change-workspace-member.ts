import type {
  AccessClaims,
  UpdateWorkspaceMemberRequest,
  WorkspaceMember,
} from '@countersign/contracts';
import { NotFoundError, newEvent, UnprocessableError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import type { ExpenseDatabase } from '../db/types.js';
import { countOwners, findMemberDetails, setMemberRole } from '../db/workspace-queries.js';
import { wouldLeaveNoOwner } from '../domain/workspace-access.js';
import { enqueue } from '../outbox/enqueue.js';
import { lockManagedWorkspace } from './lock-managed-workspace.js';

/**
 * Changes a member's role in a workspace the caller manages. The last owner cannot be
 * demoted (422); setting the role a member already has changes nothing and announces nothing.
 */
export async function changeWorkspaceMember(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
  workspaceId: string,
  userId: string,
  input: UpdateWorkspaceMemberRequest,
): Promise<WorkspaceMember> {
  return db.transaction().execute(async (trx) => {
    await lockManagedWorkspace(trx, caller, workspaceId);
    const member = await findMemberDetails(trx, workspaceId, userId);
    if (!member) throw new NotFoundError(`${userId} is not a member of this workspace`);
    const answer = {
      user_id: member.user_id,
      name: member.name,
      role: input.role,
      added_at: member.added_at.toISOString(),
    };
    if (member.role === input.role) return answer;
    if (wouldLeaveNoOwner(member.role, input.role, await countOwners(trx, workspaceId))) {
      throw new UnprocessableError('a workspace keeps at least one owner', 'last-owner');
    }
    await setMemberRole(trx, workspaceId, userId, input.role);
    await enqueue(trx, [
      newEvent('WorkspaceMemberChanged', {
        companyId: caller.company_id,
        actor: { kind: 'user', id: caller.sub },
        subject: workspaceId,
        data: {
          workspace_id: workspaceId,
          user_id: userId,
          previous_role: member.role,
          role: input.role,
        },
      }),
    ]);
    return answer;
  });
}
