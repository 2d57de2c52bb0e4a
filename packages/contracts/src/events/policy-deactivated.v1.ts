import { z } from 'zod';
import { Uuid } from '../common.js';
import { envelopeOf } from './envelope.js';

/** A policy no longer routes new expenses; those routed by it keep their chains. */
export const PolicyDeactivatedV1 = envelopeOf(
  'PolicyDeactivated',
  1,
  z.object({ policy_id: Uuid, version: z.number().int().min(1) }),
);
export type PolicyDeactivatedV1 = z.infer<typeof PolicyDeactivatedV1>;
