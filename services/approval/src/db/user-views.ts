import type { User, UserSnapshot } from '@countersign/contracts';
import type { UserRow } from './org-queries.js';

/** A person as the admin API shows them. */
export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    active: row.active,
    team: { id: row.team_id, name: row.team_name },
    level: { id: row.level_id, number: row.level_number, name: row.level_name },
    manager: row.manager_id !== null ? { id: row.manager_id, name: row.manager_name ?? '' } : null,
    revision: row.revision,
  };
}

/** A person as user events carry them. */
export function toUserSnapshot(row: UserRow): UserSnapshot {
  return {
    user_id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    team_id: row.team_id,
    level_id: row.level_id,
    manager_id: row.manager_id,
    active: row.active,
    revision: row.revision,
  };
}
