import { z } from 'zod';
import { Uuid } from '../common.js';
import { WorkspaceRole } from '../rest/workspaces.js';
import { envelopeOf } from './envelope.js';

/** A member's role in a workspace changed. */
export const WorkspaceMemberChangedV1 = envelopeOf(
  'WorkspaceMemberChanged',
  1,
  z.object({
    workspace_id: Uuid,
    user_id: Uuid,
    previous_role: WorkspaceRole,
    role: WorkspaceRole,
  }),
);
export type WorkspaceMemberChangedV1 = z.infer<typeof WorkspaceMemberChangedV1>;
