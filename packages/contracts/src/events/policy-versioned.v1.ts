import { z } from 'zod';
import { Uuid } from '../common.js';
import { PolicyRule } from '../rest/policies.js';
import { envelopeOf } from './envelope.js';

/** A policy was edited: a new version holds its rules; expenses routed earlier keep theirs. */
export const PolicyVersionedV1 = envelopeOf(
  'PolicyVersioned',
  1,
  z.object({
    policy: z.object({
      id: Uuid,
      name: z.string(),
      category: z.string(),
      version: z.number().int().min(1),
      rules: z.array(PolicyRule),
    }),
  }),
);
export type PolicyVersionedV1 = z.infer<typeof PolicyVersionedV1>;
