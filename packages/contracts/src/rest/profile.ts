import { z } from 'zod';
import { Uuid } from '../common.js';
import { UserProfile } from './org.js';
import { WorkspaceRole } from './workspaces.js';

/** `GET /api/users/me`: who I am in the directory, and the workspaces I belong to. */
export const MyProfile = UserProfile.extend({
  workspaces: z.array(z.object({ id: Uuid, name: z.string(), role: WorkspaceRole })),
}).meta({ id: 'MyProfile' });
export type MyProfile = z.infer<typeof MyProfile>;
