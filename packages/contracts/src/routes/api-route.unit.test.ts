import { describe, expect, it } from 'vitest';
import { apiRoutes } from './all.js';
import { fillPath, servicePathOf } from './api-route.js';

describe('the route declarations', () => {
  it('declare each method and path once', () => {
    const keys = apiRoutes.map((route) => `${route.method} ${route.path}`);
    expect(keys.length).toBe(new Set(keys).size);
  });

  it('name in their params schema exactly the {params} of their path', () => {
    for (const route of apiRoutes) {
      const inPath = [...route.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();
      const inSchema = Object.keys(route.params?.shape ?? {}).sort();
      expect(inSchema, `${route.method} ${route.path}`).toEqual(inPath);
    }
  });

  it('give each service the public path without /api, its params filled in and encoded', () => {
    const route = { path: '/api/webhooks/{id}/deliveries/{delivery_id}/redeliver' } as const;
    expect(servicePathOf(route)).toBe('/webhooks/{id}/deliveries/{delivery_id}/redeliver');
    expect(fillPath(servicePathOf(route), { id: 'w 1', delivery_id: 'd/2' })).toBe(
      '/webhooks/w%201/deliveries/d%2F2/redeliver',
    );
  });
});
