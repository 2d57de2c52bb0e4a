import type { Role, WorkspaceRole } from '@countersign/contracts';

/**
 * Who may see, manage and submit into a workspace. Pure rules over the caller's company
 * role (from the token) and their membership in the workspace (null: not a member). The
 * answers distinguish "hidden" from "forbidden": someone who may not even see a workspace
 * is told it does not exist, so workspace ids cannot be probed.
 */

/** Company roles that read every workspace of their company, member or not. */
const companyWideReaders: ReadonlySet<Role> = new Set(['admin', 'finance', 'auditor']);

export type Access = 'allowed' | 'forbidden' | 'hidden';

export function mayListCompanyWorkspaces(role: Role): boolean {
  return companyWideReaders.has(role);
}

/** Details, members, expenses and summary: every member (viewers too) and company-wide readers. */
export function mayReadWorkspace(role: Role, membership: WorkspaceRole | null): boolean {
  return membership !== null || companyWideReaders.has(role);
}

/** Adding, re-roling and removing members: the workspace's owners and the company's admins. */
export function memberManagementAccess(role: Role, membership: WorkspaceRole | null): Access {
  if (membership === 'owner' || role === 'admin') return 'allowed';
  return mayReadWorkspace(role, membership) ? 'forbidden' : 'hidden';
}

/** Filing an expense in a workspace: owners and members; a viewer only reads. */
export function submitIntoWorkspaceAccess(membership: WorkspaceRole | null): Access {
  if (membership === 'owner' || membership === 'member') return 'allowed';
  return membership === 'viewer' ? 'forbidden' : 'hidden';
}

/**
 * A workspace always keeps an owner: changing `current` to `next` (null: removal) is refused
 * when it would take away the last one.
 */
export function wouldLeaveNoOwner(
  current: WorkspaceRole,
  next: WorkspaceRole | null,
  ownerCount: number,
): boolean {
  return current === 'owner' && next !== 'owner' && ownerCount <= 1;
}
