import type { Role } from './rest/auth.js';

/**
 * The one permission table. Every public route names one permission; the gateway and the
 * service that owns the route both refuse a caller whose role lacks it (403). Rules that
 * depend on the object (is this my expense, am I a member of this workspace) are checked
 * by the owning service on top of this.
 */
export const permissionTable = {
  /** Submit an expense as oneself. */
  'expenses.submit': ['employee', 'manager', 'finance', 'admin'],
  /** List the expenses one may see (company, team or own, by role); read their status documents. */
  'expenses.read': ['employee', 'manager', 'finance', 'admin', 'auditor'],
  /** Approve, reject or otherwise decide a step assigned to oneself. */
  'approvals.decide': ['employee', 'manager', 'finance', 'admin'],
  /** See the steps waiting for one's decision. */
  'approvals.queue': ['employee', 'manager', 'finance', 'admin', 'auditor'],
  /** Read one's own notifications. */
  'notifications.read': ['employee', 'manager', 'finance', 'admin', 'auditor'],
  /** Read one's own profile, manager chain and workspaces; change one's own password. */
  'profile.self': ['employee', 'manager', 'finance', 'admin', 'auditor'],
  /** Read the company's users. */
  'users.read': ['admin', 'auditor'],
  /** Invite users, change their role, team, level or manager, deactivate them. */
  'users.manage': ['admin'],
  /** Read teams and hierarchy levels (the org chart is no secret inside a company). */
  'org.read': ['employee', 'manager', 'finance', 'admin', 'auditor'],
  /** Create and change teams and hierarchy levels. */
  'org.manage': ['admin'],
  /** Create a workspace (the creator becomes its owner). */
  'workspaces.create': ['employee', 'manager', 'finance', 'admin'],
  /** Read workspaces one is a member of (admins and auditors: all of the company's). */
  'workspaces.read': ['employee', 'manager', 'finance', 'admin', 'auditor'],
  /** Change members of a workspace one owns (admins: any of the company's). */
  'workspaces.manage': ['employee', 'manager', 'finance', 'admin'],
  /** Read the company's approval policies (everyone may know how expenses route). */
  'policies.read': ['employee', 'manager', 'finance', 'admin', 'auditor'],
  /** Create, version, deactivate and simulate approval policies. */
  'policies.manage': ['finance', 'admin'],
  /** Read the company's categories and vendors (everyone files expenses against them). */
  'catalog.read': ['employee', 'manager', 'finance', 'admin', 'auditor'],
  /** Create, rename and archive categories and vendors. */
  'catalog.manage': ['finance', 'admin'],
  /** Read the company's base currency and exchange rates. */
  'rates.read': ['employee', 'manager', 'finance', 'admin', 'auditor'],
  /** Add dated exchange rates. */
  'rates.manage': ['finance', 'admin'],
  /** Choose the company's base currency (only while it has no expenses). */
  'currency.manage': ['admin'],
  /** Company-wide spending reports and the accounting journal export (managers: not yet). */
  'reports.read': ['finance', 'admin', 'auditor'],
  /** Mark approved expenses paid in batches (payouts) and read payouts back. */
  'payouts.manage': ['finance', 'admin'],
  /** List the company's soft-deleted expenses and restore them. */
  'expenses.restore': ['admin'],
  /** Register, change, delete and rotate the company's outbound webhooks; read their deliveries. */
  'webhooks.manage': ['admin'],
  /** Read the company's audit trail in every service and verify its hash chains. */
  'audit.read': ['admin', 'auditor'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof permissionTable;

export function roleHasPermission(role: Role, permission: Permission): boolean {
  return (permissionTable[permission] as readonly Role[]).includes(role);
}
