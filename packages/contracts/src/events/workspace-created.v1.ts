import { z } from 'zod';
import { IsoDateTime, Uuid } from '../common.js';
import { envelopeOf } from './envelope.js';

/** Someone created a workspace in their company; they are its first owner. */
export const WorkspaceCreatedV1 = envelopeOf(
  'WorkspaceCreated',
  1,
  z.object({
    workspace_id: Uuid,
    name: z.string(),
    description: z.string().nullable(),
    created_by: Uuid,
    created_at: IsoDateTime,
  }),
);
export type WorkspaceCreatedV1 = z.infer<typeof WorkspaceCreatedV1>;
