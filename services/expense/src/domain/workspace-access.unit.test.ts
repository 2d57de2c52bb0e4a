import { Role, WorkspaceRole } from '@countersign/contracts';
import { describe, expect, it } from 'vitest';
import {
  mayListCompanyWorkspaces,
  mayReadWorkspace,
  memberManagementAccess,
  submitIntoWorkspaceAccess,
  wouldLeaveNoOwner,
} from './workspace-access.js';

const memberships = [...WorkspaceRole.options, null] as const;

describe('reading a workspace', () => {
  it('every member, whatever their role, may read it', () => {
    for (const role of Role.options) {
      for (const membership of WorkspaceRole.options) {
        expect(mayReadWorkspace(role, membership)).toBe(true);
      }
    }
  });

  it('a non-member may read it only as admin, finance or auditor', () => {
    const readers = Role.options.filter((role) => mayReadWorkspace(role, null));
    expect(readers).toEqual(['finance', 'admin', 'auditor']);
    expect(Role.options.filter(mayListCompanyWorkspaces)).toEqual(readers);
  });
});

describe('managing members', () => {
  it('owners and company admins may; other members are forbidden; outsiders are not told', () => {
    const cells = Role.options.flatMap((role) =>
      memberships.map((m) => `${role}/${m ?? 'none'}: ${memberManagementAccess(role, m)}`),
    );
    expect(cells).toEqual([
      'employee/owner: allowed',
      'employee/member: forbidden',
      'employee/viewer: forbidden',
      'employee/none: hidden',
      'manager/owner: allowed',
      'manager/member: forbidden',
      'manager/viewer: forbidden',
      'manager/none: hidden',
      'finance/owner: allowed',
      'finance/member: forbidden',
      'finance/viewer: forbidden',
      'finance/none: forbidden',
      'admin/owner: allowed',
      'admin/member: allowed',
      'admin/viewer: allowed',
      'admin/none: allowed',
      'auditor/owner: allowed',
      'auditor/member: forbidden',
      'auditor/viewer: forbidden',
      'auditor/none: forbidden',
    ]);
  });
});

describe('submitting into a workspace', () => {
  it('owners and members may, viewers are forbidden, non-members are not told it exists', () => {
    expect(memberships.map(submitIntoWorkspaceAccess)).toEqual([
      'allowed',
      'allowed',
      'forbidden',
      'hidden',
    ]);
  });
});

describe('the last owner', () => {
  it('cannot be demoted or removed', () => {
    expect(wouldLeaveNoOwner('owner', 'member', 1)).toBe(true);
    expect(wouldLeaveNoOwner('owner', 'viewer', 1)).toBe(true);
    expect(wouldLeaveNoOwner('owner', null, 1)).toBe(true);
  });

  it('may be kept an owner, and another owner may go while one remains', () => {
    expect(wouldLeaveNoOwner('owner', 'owner', 1)).toBe(false);
    expect(wouldLeaveNoOwner('owner', 'member', 2)).toBe(false);
    expect(wouldLeaveNoOwner('owner', null, 2)).toBe(false);
  });

  it('does not concern changes to members and viewers', () => {
    for (const current of ['member', 'viewer'] as const) {
      for (const next of memberships) expect(wouldLeaveNoOwner(current, next, 1)).toBe(false);
    }
  });
});
