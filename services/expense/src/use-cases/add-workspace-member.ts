import type {
  AccessClaims,
  AddWorkspaceMemberRequest,
  WorkspaceMember,
} from '@countersign/contracts';
import { ConflictError, NotFoundError, newEvent, UnprocessableError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { findPerson } from '../db/person-queries.js';
import type { ExpenseDatabase } from '../db/types.js';
import { insertMember } from '../db/workspace-queries.js';
import { enqueue } from '../outbox/enqueue.js';
import { lockManagedWorkspace } from './lock-managed-workspace.js';

export interface AddWorkspaceMemberDeps {
  db: Kysely<ExpenseDatabase>;
  now: () => Date;
}

/**
 * Adds an active person of the caller's company to a workspace the caller manages. A
 * person unknown in the company is 404, an inactive one 422, an existing member 409.
 */
export async function addWorkspaceMember(
  deps: AddWorkspaceMemberDeps,
  caller: AccessClaims,
  workspaceId: string,
  input: AddWorkspaceMemberRequest,
): Promise<WorkspaceMember> {
  const addedAt = deps.now();
  return deps.db.transaction().execute(async (trx) => {
    await lockManagedWorkspace(trx, caller, workspaceId);
    const person = await findPerson(trx, caller.company_id, input.user_id);
    if (!person) throw new NotFoundError(`no person ${input.user_id} in your company`);
    if (!person.active) {
      throw new UnprocessableError(`${person.name} is deactivated`, 'person-inactive');
    }
    const member = {
      workspace_id: workspaceId,
      user_id: person.id,
      role: input.role,
      added_at: addedAt,
    };
    if (!(await insertMember(trx, member))) {
      throw new ConflictError(`${person.name} is already a member of this workspace`);
    }
    await enqueue(trx, [
      newEvent('WorkspaceMemberAdded', {
        companyId: caller.company_id,
        actor: { kind: 'user', id: caller.sub },
        subject: workspaceId,
        occurredAt: addedAt,
        data: { ...member, added_at: addedAt.toISOString() },
      }),
    ]);
    return {
      user_id: person.id,
      name: person.name,
      role: input.role,
      added_at: addedAt.toISOString(),
    };
  });
}
