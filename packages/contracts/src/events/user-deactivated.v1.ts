import { z } from 'zod';
import { envelopeOf } from './envelope.js';
import { UserSnapshot } from './user-snapshot.js';

/** An admin deactivated a user: they can no longer log in, submit or approve. */
export const UserDeactivatedV1 = envelopeOf(
  'UserDeactivated',
  1,
  z.object({ user: UserSnapshot, reason: z.string().nullable() }),
);
export type UserDeactivatedV1 = z.infer<typeof UserDeactivatedV1>;
