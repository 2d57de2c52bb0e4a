import { z } from 'zod';
import { Uuid } from '../common.js';
import { envelopeOf } from './envelope.js';

/** A hierarchy level was added (number 1 is the most senior). */
export const LevelCreatedV1 = envelopeOf(
  'LevelCreated',
  1,
  z.object({
    level: z.object({ id: Uuid, number: z.number().int().min(1), name: z.string().min(1) }),
  }),
);
export type LevelCreatedV1 = z.infer<typeof LevelCreatedV1>;
