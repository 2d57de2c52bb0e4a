import { describe, expect, it } from 'vitest';
import { forwardedRoutes } from './api-routes.js';
import { authRouteDocs } from './auth-routes.js';
import { acceptsIdempotencyKey } from './idempotency.js';

describe('routes that take Idempotency-Key', () => {
  it('are the creating POSTs, as listed in README and docs/ARCHITECTURE.md', () => {
    const keyed = forwardedRoutes
      .filter(acceptsIdempotencyKey)
      .map((r) => `${r.method.toUpperCase()} ${r.path}`)
      .sort();
    expect(keyed).toEqual([
      'POST /api/categories',
      'POST /api/delegations',
      'POST /api/exchange-rates',
      'POST /api/expenses',
      'POST /api/expenses/drafts',
      'POST /api/levels',
      'POST /api/policies',
      'POST /api/teams',
      'POST /api/users',
      'POST /api/vendors',
      'POST /api/workspaces',
      'POST /api/workspaces/{id}/members',
    ]);
  });

  it('leave out state changes and the account routes', () => {
    const byName = (method: string, path: string) =>
      [...forwardedRoutes, ...authRouteDocs].find((r) => r.method === method && r.path === path);
    for (const [method, path] of [
      ['post', '/api/expenses/approve'],
      ['post', '/api/expenses/{id}/resubmit'],
      ['post', '/api/expenses/{id}/receipts'],
      ['post', '/api/approvals/bulk'],
      ['post', '/api/expenses/{id}/submit'],
      ['post', '/api/payouts'],
      ['post', '/api/webhooks'],
      ['patch', '/api/expenses/{id}'],
      ['post', '/api/auth/login'],
      ['post', '/api/auth/refresh'],
      ['post', '/api/auth/register'],
    ] as const) {
      const route = byName(method, path);
      expect(route, `${method} ${path}`).toBeDefined();
      if (route) expect(acceptsIdempotencyKey(route), `${method} ${path}`).toBe(false);
    }
  });
});
