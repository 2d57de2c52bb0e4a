import type { AccessClaims, CreateWorkspaceRequest, Workspace } from '@countersign/contracts';
import { ConflictError, newEvent } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { ExpenseDatabase } from '../db/types.js';
import { insertMember, insertWorkspace } from '../db/workspace-queries.js';
import { enqueue } from '../outbox/enqueue.js';

export interface CreateWorkspaceDeps {
  db: Kysely<ExpenseDatabase>;
  now: () => Date;
}

/**
 * Creates a workspace in the caller's company with the caller as its owner; the workspace,
 * the membership and their events commit together. Names are unique per company (409).
 */
export async function createWorkspace(
  deps: CreateWorkspaceDeps,
  caller: AccessClaims,
  input: CreateWorkspaceRequest,
): Promise<Workspace> {
  const createdAt = deps.now();
  const workspace = {
    id: uuidv7(),
    company_id: caller.company_id,
    name: input.name,
    description: input.description ?? null,
    created_by: caller.sub,
    created_at: createdAt,
  };
  const common = {
    companyId: caller.company_id,
    actor: { kind: 'user' as const, id: caller.sub },
    subject: workspace.id,
    occurredAt: createdAt,
  };
  await deps.db.transaction().execute(async (trx) => {
    if (!(await insertWorkspace(trx, workspace))) {
      throw new ConflictError(`your company already has a workspace named "${input.name}"`);
    }
    await insertMember(trx, {
      workspace_id: workspace.id,
      user_id: caller.sub,
      role: 'owner',
      added_at: createdAt,
    });
    await enqueue(trx, [
      newEvent('WorkspaceCreated', {
        ...common,
        data: {
          workspace_id: workspace.id,
          name: workspace.name,
          description: workspace.description,
          created_by: caller.sub,
          created_at: createdAt.toISOString(),
        },
      }),
      newEvent('WorkspaceMemberAdded', {
        ...common,
        data: {
          workspace_id: workspace.id,
          user_id: caller.sub,
          role: 'owner',
          added_at: createdAt.toISOString(),
        },
      }),
    ]);
  });
  return {
    id: workspace.id,
    name: workspace.name,
    description: workspace.description,
    created_by: workspace.created_by,
    created_at: createdAt.toISOString(),
    my_role: 'owner',
  };
}
