import { z } from 'zod';
import { IsoDateTime, Uuid } from '../common.js';
import { PolicyRule } from '../rest/policies.js';
import { envelopeOf } from './envelope.js';
import { UserSnapshot } from './user-snapshot.js';

/**
 * Everything routing reads of one company, as the approval service holds it at
 * `taken_at`: its levels, its people (each with the revision of their user events) and its
 * policies at their current versions, deactivated ones included. Published when a company
 * is set up or seeded, and once for every company when the approval service first runs
 * with this event (an upgrade), so a service that routes from a copy (the expense service)
 * can start it whole; the user, level and policy events keep it current afterwards. Each
 * part is newer-wins per item (revision, version, `taken_at` for levels), so parts and
 * events may be applied in any order, any number of times. A large company comes in
 * several parts (`part` of `parts`); levels and policies are in every part.
 */
export const RoutingSnapshotTakenV1 = envelopeOf(
  'RoutingSnapshotTaken',
  1,
  z.object({
    taken_at: IsoDateTime,
    part: z.number().int().min(1),
    parts: z.number().int().min(1),
    levels: z.array(z.object({ id: Uuid, number: z.number().int().min(1), name: z.string() })),
    people: z.array(UserSnapshot),
    policies: z.array(
      z.object({
        id: Uuid,
        name: z.string(),
        category: z.string(),
        active: z.boolean(),
        version: z.number().int().min(1),
        rules: z.array(PolicyRule),
      }),
    ),
  }),
);
export type RoutingSnapshotTakenV1 = z.infer<typeof RoutingSnapshotTakenV1>;
