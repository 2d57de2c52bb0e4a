import { z } from 'zod';
import { envelopeOf } from './envelope.js';
import { UserSnapshot } from './user-snapshot.js';

/**
 * A person joined the company's directory: invited by an admin, or the first admin of a
 * newly registered company. `invited` says whether the gateway should e-mail an invitation.
 */
export const UserAddedV1 = envelopeOf(
  'UserAdded',
  1,
  z.object({ user: UserSnapshot, invited: z.boolean() }),
);
export type UserAddedV1 = z.infer<typeof UserAddedV1>;
