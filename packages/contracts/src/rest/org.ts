import { z } from 'zod';
import { PageQuery, Uuid } from '../common.js';
import { Role } from './auth.js';

const PersonName = z.string().trim().min(1).max(200);
const Email = z.email().max(254);
const TeamName = z.string().trim().min(1).max(100);
const LevelName = z.string().trim().min(1).max(100);
const LevelNumber = z
  .number()
  .int()
  .min(1)
  .max(20)
  .meta({ description: 'Seniority: 1 is the most senior' });

export const TeamRef = z.object({ id: Uuid, name: z.string() });
export const LevelRef = z.object({ id: Uuid, number: z.number().int(), name: z.string() });

export const User = z
  .object({
    id: Uuid,
    email: z.string(),
    name: z.string(),
    role: Role,
    active: z.boolean(),
    team: TeamRef,
    level: LevelRef,
    manager: z.object({ id: Uuid, name: z.string() }).nullable(),
    revision: z.number().int().min(1).meta({ description: 'Grows by one with every change' }),
  })
  .meta({ id: 'User' });
export type User = z.infer<typeof User>;

export const UserPage = z
  .object({ items: z.array(User), next_cursor: z.string().nullable() })
  .meta({ id: 'UserPage' });
export type UserPage = z.infer<typeof UserPage>;

/** Filters of the user list; every filter narrows, `q` matches name or e-mail. */
export const UserListQuery = PageQuery.extend({
  role: Role.optional(),
  team_id: Uuid.optional(),
  level_id: Uuid.optional(),
  active: z.stringbool().optional(),
  q: z
    .string()
    .trim()
    .min(1)
    .max(100)
    .optional()
    .meta({ description: 'Case-insensitive substring of the name or e-mail' }),
});
export type UserListQuery = z.infer<typeof UserListQuery>;

export const CreateUserRequest = z
  .object({
    email: Email,
    name: PersonName,
    role: Role,
    team_id: Uuid,
    level_id: Uuid,
    manager_id: Uuid.optional(),
  })
  .strict()
  .meta({ id: 'CreateUserRequest' });
export type CreateUserRequest = z.infer<typeof CreateUserRequest>;

export const UpdateUserRequest = z
  .object({
    name: PersonName.optional(),
    email: Email.optional(),
    role: Role.optional(),
    team_id: Uuid.optional(),
    level_id: Uuid.optional(),
    manager_id: Uuid.nullable().optional().meta({ description: 'null: reports to nobody' }),
  })
  .strict()
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: 'send at least one field to change',
  })
  .meta({ id: 'UpdateUserRequest' });
export type UpdateUserRequest = z.infer<typeof UpdateUserRequest>;

export const DeactivateUserRequest = z
  .object({ reason: z.string().trim().min(1).max(500).optional() })
  .strict()
  .meta({ id: 'DeactivateUserRequest' });
export type DeactivateUserRequest = z.infer<typeof DeactivateUserRequest>;

export const Team = z.object({ id: Uuid, name: z.string() }).meta({ id: 'Team' });
export type Team = z.infer<typeof Team>;
export const TeamList = z.object({ items: z.array(Team) }).meta({ id: 'TeamList' });
export type TeamList = z.infer<typeof TeamList>;

export const CreateTeamRequest = z
  .object({ name: TeamName })
  .strict()
  .meta({ id: 'CreateTeamRequest' });
export type CreateTeamRequest = z.infer<typeof CreateTeamRequest>;

export const UpdateTeamRequest = z
  .object({ name: TeamName })
  .strict()
  .meta({ id: 'UpdateTeamRequest' });
export type UpdateTeamRequest = z.infer<typeof UpdateTeamRequest>;

export const Level = z
  .object({ id: Uuid, number: LevelNumber, name: z.string() })
  .meta({ id: 'Level' });
export type Level = z.infer<typeof Level>;
export const LevelList = z.object({ items: z.array(Level) }).meta({ id: 'LevelList' });
export type LevelList = z.infer<typeof LevelList>;

export const CreateLevelRequest = z
  .object({ number: LevelNumber, name: LevelName })
  .strict()
  .meta({ id: 'CreateLevelRequest' });
export type CreateLevelRequest = z.infer<typeof CreateLevelRequest>;

/** Only the name: a level's number is fixed once created, since chains refer to it. */
export const UpdateLevelRequest = z
  .object({ name: LevelName })
  .strict()
  .meta({ id: 'UpdateLevelRequest' });
export type UpdateLevelRequest = z.infer<typeof UpdateLevelRequest>;

export const ManagerChainEntry = z.object({
  id: Uuid,
  name: z.string(),
  level_number: z.number().int(),
  level_name: z.string(),
});

export const UserProfile = z
  .object({
    id: Uuid,
    email: z.string(),
    name: z.string(),
    role: Role,
    active: z.boolean(),
    team: TeamRef,
    level: LevelRef,
    manager_chain: z
      .array(ManagerChainEntry)
      .meta({ description: 'The direct manager first, then upwards' }),
  })
  .meta({ id: 'UserProfile' });
export type UserProfile = z.infer<typeof UserProfile>;

export const IdParam = z.object({ id: Uuid });
