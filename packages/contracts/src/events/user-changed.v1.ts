import { z } from 'zod';
import { envelopeOf } from './envelope.js';
import { UserSnapshot } from './user-snapshot.js';

/** An admin changed a user's name, e-mail, role, team, level or manager. */
export const UserChangedV1 = envelopeOf(
  'UserChanged',
  1,
  z.object({
    user: UserSnapshot,
    changed: z.array(z.enum(['name', 'email', 'role', 'team_id', 'level_id', 'manager_id'])),
  }),
);
export type UserChangedV1 = z.infer<typeof UserChangedV1>;
