import { z } from 'zod';
import { envelopeOf } from './envelope.js';

/**
 * A service that routes from a copy of the approval service's data (the expense service)
 * has no copy of the envelope's company yet, e.g. it was just upgraded to keep one: the
 * approval service answers with RoutingSnapshotTaken for that company.
 */
export const RoutingSnapshotRequestedV1 = envelopeOf(
  'RoutingSnapshotRequested',
  1,
  z.object({ reason: z.string().min(1) }),
);
export type RoutingSnapshotRequestedV1 = z.infer<typeof RoutingSnapshotRequestedV1>;
