import type { AccessClaims, WorkspaceDetails } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import type { ExpenseDatabase } from '../db/types.js';
import { listMembers } from '../db/workspace-queries.js';
import { findReadableWorkspace } from './find-readable-workspace.js';

/** A workspace and its members, for its members and the company-wide readers. */
export async function getWorkspace(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
  workspaceId: string,
): Promise<WorkspaceDetails> {
  const workspace = await findReadableWorkspace(db, caller, workspaceId);
  const members = await listMembers(db, workspace.id);
  return {
    id: workspace.id,
    name: workspace.name,
    description: workspace.description,
    created_by: workspace.created_by,
    created_at: workspace.created_at.toISOString(),
    my_role: workspace.my_role,
    members: members.map((m) => ({
      user_id: m.user_id,
      name: m.name,
      role: m.role,
      added_at: m.added_at.toISOString(),
    })),
  };
}
