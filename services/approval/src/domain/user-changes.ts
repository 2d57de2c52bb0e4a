import type { Role } from '@countersign/contracts';

export interface EditableUser {
  name: string;
  email: string;
  role: Role;
  team_id: string;
  level_id: string;
  manager_id: string | null;
}

export type EditableField = keyof EditableUser;

const editableFields: readonly EditableField[] = [
  'name',
  'email',
  'role',
  'team_id',
  'level_id',
  'manager_id',
];

/**
 * The fields of a PATCH that really change something. A field sent with its current value
 * is no change: it neither bumps the revision nor appears in `UserChanged`. E-mails compare
 * lower-cased, as they are stored.
 */
export function diffUser(
  current: EditableUser,
  patch: { [K in EditableField]?: EditableUser[K] | undefined },
): Partial<EditableUser> {
  const changes: Partial<EditableUser> = {};
  const wanted = { ...patch, ...(patch.email ? { email: patch.email.toLowerCase() } : {}) };
  for (const field of editableFields) {
    const value = wanted[field];
    if (value !== undefined && value !== current[field]) {
      Object.assign(changes, { [field]: value });
    }
  }
  return changes;
}

/** The names of the fields a diff changes, in a fixed order, as `UserChanged` lists them. */
export function changedFields(changes: Partial<EditableUser>): EditableField[] {
  return editableFields.filter((field) => changes[field] !== undefined);
}

/**
 * Why a moved approver's steps go to someone else, for `ApproverReassigned`; null when the
 * change cannot make anyone ineligible. A role change matters to role steps only (each step
 * is re-checked by its own rule, so their level steps stay).
 */
export function moveReason(changes: Partial<EditableUser>): string | null {
  if (changes.team_id && changes.level_id) return 'previous approver changed team and level';
  if (changes.team_id) return 'previous approver moved to another team';
  if (changes.level_id) return 'previous approver changed level';
  if (changes.role) return 'previous approver changed role';
  return null;
}
