import { type Permission, Role, roleHasPermission } from '@countersign/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forwardedRoutes } from '../../services/gateway/src/http/api-routes.js';
import { api, login, ports, TestCluster } from '../support/test-cluster.js';

let cluster: TestCluster;
/** One demo login per role. */
const roleUsers: Record<Role, string> = {
  employee: 'grace',
  manager: 'frank',
  finance: 'hannah',
  admin: 'alice',
  auditor: 'ivan',
};
const tokens = {} as Record<Role, string>;

beforeAll(async () => {
  cluster = await TestCluster.start();
  for (const role of Role.options) tokens[role] = await login(roleUsers[role]);
});
afterAll(async () => cluster?.stop());

const unknownId = '0197ffff-0000-7000-8000-00000000abcd';
const concretePath = (path: string) => path.replace(/\{\w+\}/g, unknownId);

describe('role × route: every public route answers 403 exactly where the table says no', () => {
  it('walks every cell through the gateway', async () => {
    const cells: string[] = [];
    for (const route of forwardedRoutes) {
      for (const role of Role.options) {
        const body = ['get', 'delete'].includes(route.method) ? undefined : {};
        const response = await api(
          route.method.toUpperCase(),
          concretePath(route.path),
          tokens[role],
          body,
        );
        const allowed = roleHasPermission(role, route.permission);
        const refused = response.status === 403;
        cells.push(`${route.method} ${route.path} ${role}: ${response.status}`);
        expect(refused, `${role} ${route.method} ${route.path} → ${response.status}`).toBe(
          !allowed,
        );
        if (refused) expect(response.contentType).toContain('application/problem+json');
      }
    }
    expect(cells.length).toBe(forwardedRoutes.length * Role.options.length);
  });

  it('the services refuse the same cells when called directly, past the gateway', async () => {
    const direct: { port: number; method: string; path: string; permission: Permission }[] = [
      { port: ports.expense, method: 'POST', path: '/expenses', permission: 'expenses.submit' },
      {
        port: ports.approval,
        method: 'POST',
        path: '/expenses/approve',
        permission: 'approvals.decide',
      },
      {
        port: ports.approval,
        method: 'POST',
        path: '/routing-decisions',
        permission: 'expenses.submit',
      },
      { port: ports.expense, method: 'POST', path: '/exchange-rates', permission: 'rates.manage' },
      { port: ports.expense, method: 'POST', path: '/categories', permission: 'catalog.manage' },
      {
        port: ports.expense,
        method: 'PUT',
        path: '/company/currency',
        permission: 'currency.manage',
      },
      { port: ports.expense, method: 'GET', path: '/reports/summary', permission: 'reports.read' },
      { port: ports.expense, method: 'GET', path: '/exports/journal', permission: 'reports.read' },
      { port: ports.expense, method: 'POST', path: '/payouts', permission: 'payouts.manage' },
      {
        port: ports.expense,
        method: 'POST',
        path: `/expenses/${unknownId}/restore`,
        permission: 'expenses.restore',
      },
      {
        port: ports.notification,
        method: 'POST',
        path: '/webhooks',
        permission: 'webhooks.manage',
      },
      {
        port: ports.notification,
        method: 'GET',
        path: `/webhooks/${unknownId}/deliveries`,
        permission: 'webhooks.manage',
      },
      ...[ports.expense, ports.approval, ports.notification].flatMap((port) => [
        { port, method: 'GET', path: '/audit-logs', permission: 'audit.read' as const },
        { port, method: 'GET', path: '/audit-logs/verify', permission: 'audit.read' as const },
      ]),
    ];
    for (const call of direct) {
      for (const role of Role.options) {
        const response = await fetch(`http://127.0.0.1:${call.port}${call.path}`, {
          method: call.method,
          headers: { authorization: `Bearer ${tokens[role]}`, 'content-type': 'application/json' },
          ...(call.method === 'GET' ? {} : { body: '{}' }),
        });
        expect(response.status === 403, `${role} ${call.path}`).toBe(
          !roleHasPermission(role, call.permission),
        );
      }
    }
  });
});
