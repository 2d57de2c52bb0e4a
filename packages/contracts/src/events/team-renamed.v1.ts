import { z } from 'zod';
import { Uuid } from '../common.js';
import { envelopeOf } from './envelope.js';

/** A team got a new name; its members and chains are unchanged. */
export const TeamRenamedV1 = envelopeOf(
  'TeamRenamed',
  1,
  z.object({ team_id: Uuid, previous_name: z.string(), name: z.string().min(1) }),
);
export type TeamRenamedV1 = z.infer<typeof TeamRenamedV1>;
