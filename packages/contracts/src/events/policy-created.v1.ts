import { z } from 'zod';
import { Uuid } from '../common.js';
import { PolicyRule } from '../rest/policies.js';
import { envelopeOf } from './envelope.js';

/** A policy was created, at version 1. */
export const PolicyCreatedV1 = envelopeOf(
  'PolicyCreated',
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
export type PolicyCreatedV1 = z.infer<typeof PolicyCreatedV1>;
