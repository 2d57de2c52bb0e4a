import { z } from 'zod';
import { Uuid } from '../common.js';
import { envelopeOf } from './envelope.js';

/** A hierarchy level got a new name; its number, and so who approves what, is unchanged. */
export const LevelRenamedV1 = envelopeOf(
  'LevelRenamed',
  1,
  z.object({
    level_id: Uuid,
    number: z.number().int().min(1),
    previous_name: z.string(),
    name: z.string().min(1),
  }),
);
export type LevelRenamedV1 = z.infer<typeof LevelRenamedV1>;
