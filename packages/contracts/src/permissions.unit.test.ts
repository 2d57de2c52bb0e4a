import { describe, expect, it } from 'vitest';
import { type Permission, permissionTable, roleHasPermission } from './permissions.js';
import { Role } from './rest/auth.js';

// Written out by hand, cell by cell, so a change to the table has to be made twice.
const E = 'employee';
const M = 'manager';
const F = 'finance';
const A = 'admin';
const U = 'auditor';
const expected: Record<Permission, string[]> = {
  'expenses.submit': [E, M, F, A],
  'expenses.read': [E, M, F, A, U],
  'approvals.decide': [E, M, F, A],
  'approvals.queue': [E, M, F, A, U],
  'notifications.read': [E, M, F, A, U],
  'profile.self': [E, M, F, A, U],
  'users.read': [A, U],
  'users.manage': [A],
  'org.read': [E, M, F, A, U],
  'org.manage': [A],
  'workspaces.create': [E, M, F, A],
  'workspaces.read': [E, M, F, A, U],
  'workspaces.manage': [E, M, F, A],
  'policies.read': [E, M, F, A, U],
  'policies.manage': [F, A],
  'catalog.read': [E, M, F, A, U],
  'catalog.manage': [F, A],
  'rates.read': [E, M, F, A, U],
  'rates.manage': [F, A],
  'currency.manage': [A],
  'reports.read': [F, A, U],
  'payouts.manage': [F, A],
  'expenses.restore': [A],
  'webhooks.manage': [A],
  'audit.read': [A, U],
};

describe('the permission table', () => {
  it('grants exactly the cells of the agreed matrix', () => {
    expect(Object.keys(permissionTable).sort()).toEqual(Object.keys(expected).sort());
    for (const permission of Object.keys(expected) as Permission[]) {
      for (const role of Role.options) {
        expect(roleHasPermission(role, permission), `${role} × ${permission}`).toBe(
          expected[permission].includes(role),
        );
      }
    }
  });

  it('never lets an auditor change anything', () => {
    const writes = Object.keys(permissionTable).filter(
      (p) => !/\.(read|queue)$/.test(p) && p !== 'profile.self',
    ) as Permission[];
    expect(writes.length).toBeGreaterThan(5);
    for (const permission of writes) expect(roleHasPermission('auditor', permission)).toBe(false);
  });
});
