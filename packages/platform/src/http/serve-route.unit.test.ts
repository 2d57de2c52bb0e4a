import { type AccessClaims, defineRoutes } from '@countersign/contracts';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../logger.js';
import { createServiceApp } from './app.js';
import { routeDrift, routeServer } from './serve-route.js';

const routes = defineRoutes({
  rename: {
    method: 'patch',
    path: '/api/things/{id}',
    service: 'expense',
    permission: 'catalog.manage',
    summary: 'Rename a thing',
    tag: 'Things',
    params: z.object({ id: z.uuid() }),
    query: z.object({ dry_run: z.enum(['true', 'false']).optional() }),
    body: z.object({ name: z.string().min(1) }).strict(),
    success: { status: 200, description: 'Renamed' },
    refusals: [400, 401, 403, 404],
  },
  count: {
    method: 'get',
    path: '/api/things/count',
    service: 'approval',
    permission: 'catalog.read',
    summary: 'Count things',
    tag: 'Things',
    success: { status: 200, description: 'The count' },
    refusals: [401, 403],
  },
});

const id = '0b7c6f0e-3d0a-4f6e-9f43-1b2a3c4d5e6f';

function appServingRename() {
  const app = createServiceApp(createLogger('test', 'silent'), []);
  const serve = routeServer(
    app,
    async (token): Promise<AccessClaims> => ({
      sub: id,
      company_id: id,
      role: token === 'admin' ? 'admin' : 'employee',
      name: 'Ada',
      email: 'ada@example.com',
    }),
  );
  serve(routes.rename, (c, { params, query, body }) =>
    c.json({ id: params.id, dryRun: query.dry_run ?? 'false', name: body.name }),
  );
  return app;
}

const rename = (token: string, path: string, body: string) =>
  appServingRename().request(path, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
  });

describe('a route served from its declaration', () => {
  it('hands the handler its params, query and body as the schemas parsed them', async () => {
    const answer = await rename('admin', `/things/${id}?dry_run=true`, '{"name":"Pens"}');
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ id, dryRun: 'true', name: 'Pens' });
  });

  it('refuses a body, a param or a query the schemas refuse, with a 400', async () => {
    expect((await rename('admin', `/things/${id}`, '{"name":""}')).status).toBe(400);
    expect((await rename('admin', '/things/not-a-uuid', '{"name":"Pens"}')).status).toBe(400);
    expect((await rename('admin', `/things/${id}?dry_run=maybe`, '{"name":"P"}')).status).toBe(400);
  });

  it('checks the declared permission and requires a token', async () => {
    expect((await rename('employee', `/things/${id}`, '{"name":"Pens"}')).status).toBe(403);
    const anonymous = await appServingRename().request(`/things/${id}`, { method: 'PATCH' });
    expect(anonymous.status).toBe(401);
  });

  it('reports drift: a declared route not served, a route served that another owns', () => {
    const app = appServingRename();
    expect(routeDrift(app, Object.values(routes), 'expense')).toEqual({
      unserved: [],
      ownedElsewhere: [],
    });
    expect(routeDrift(app, Object.values(routes), 'approval')).toEqual({
      unserved: ['GET /things/count'],
      ownedElsewhere: ['PATCH /things/:id'],
    });
  });
});
