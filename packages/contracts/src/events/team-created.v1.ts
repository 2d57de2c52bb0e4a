import { z } from 'zod';
import { Uuid } from '../common.js';
import { envelopeOf } from './envelope.js';

/** A team was added to the company's org chart. */
export const TeamCreatedV1 = envelopeOf(
  'TeamCreated',
  1,
  z.object({ team: z.object({ id: Uuid, name: z.string().min(1) }) }),
);
export type TeamCreatedV1 = z.infer<typeof TeamCreatedV1>;
