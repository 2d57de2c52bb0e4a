import { z } from 'zod';
import { IsoDateTime, Uuid } from '../common.js';
import { WorkspaceRole } from '../rest/workspaces.js';
import { envelopeOf } from './envelope.js';

/** A person joined a workspace with a role (the creator joins as owner when it is created). */
export const WorkspaceMemberAddedV1 = envelopeOf(
  'WorkspaceMemberAdded',
  1,
  z.object({
    workspace_id: Uuid,
    user_id: Uuid,
    role: WorkspaceRole,
    added_at: IsoDateTime,
  }),
);
export type WorkspaceMemberAddedV1 = z.infer<typeof WorkspaceMemberAddedV1>;
