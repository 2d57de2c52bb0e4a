import { z } from 'zod';
import { Uuid } from '../common.js';
import { WorkspaceRole } from '../rest/workspaces.js';
import { envelopeOf } from './envelope.js';

/** A person was removed from a workspace; their expenses filed in it stay there. */
export const WorkspaceMemberRemovedV1 = envelopeOf(
  'WorkspaceMemberRemoved',
  1,
  z.object({
    workspace_id: Uuid,
    user_id: Uuid,
    previous_role: WorkspaceRole,
  }),
);
export type WorkspaceMemberRemovedV1 = z.infer<typeof WorkspaceMemberRemovedV1>;
