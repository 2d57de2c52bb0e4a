import { z } from 'zod';
import { Uuid } from '../common.js';
import { Role } from '../rest/auth.js';

/**
 * A user as the org directory holds them after a change. User events carry the whole
 * snapshot, with a revision that grows with every change, so a consumer can apply them in
 * any order: it keeps the snapshot with the highest revision.
 */
export const UserSnapshot = z.object({
  user_id: Uuid,
  email: z.email(),
  name: z.string().min(1),
  role: Role,
  team_id: Uuid,
  level_id: Uuid,
  manager_id: Uuid.nullable(),
  active: z.boolean(),
  revision: z.number().int().min(1),
});
export type UserSnapshot = z.infer<typeof UserSnapshot>;
