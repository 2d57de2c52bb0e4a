import { describe, expect, it } from 'vitest';
import { createServiceApp } from '../http/app.js';
import { createLogger } from '../logger.js';
import { bearerMatches, methodLabel, UNMATCHED_ROUTE } from './http-metrics.js';
import { ServiceMetrics } from './service-metrics.js';

const logger = createLogger('test', 'silent');
type Labels = Partial<Record<string, string | number>>;

function appWithMetrics(scrapeToken?: string) {
  const metrics = new ServiceMetrics({ service: 'test', processMetrics: false, scrapeToken });
  const app = createServiceApp(logger, [], undefined, { metrics });
  app.get('/things/:id', (c) => c.json({ id: c.req.param('id') }));
  app.post('/things', () => {
    throw new Error('boom');
  });
  return { app, metrics };
}

/** The histogram's `_count` per (method, route, status), read back from the registry. */
async function requestCounts(metrics: ServiceMetrics): Promise<Map<string, number>> {
  const json = await metrics.registry
    .getSingleMetric('http_server_request_duration_seconds')
    ?.get();
  const counts = new Map<string, number>();
  // Histogram samples name their series (`_bucket`, `_count`); the typings leave it out.
  const values = (json?.values ?? []) as { metricName?: string; labels: Labels; value: number }[];
  for (const value of values) {
    if (value.metricName !== 'http_server_request_duration_seconds_count') continue;
    const { method, route, status } = value.labels;
    counts.set(`${method} ${route} ${status}`, value.value);
  }
  return counts;
}

describe('request metrics', () => {
  it('labels requests by route pattern, not by the raw path', async () => {
    const { app, metrics } = appWithMetrics();
    await app.request('/things/1');
    await app.request('/things/2');
    await app.request('/things', { method: 'POST' });
    const counts = await requestCounts(metrics);
    expect(counts.get('GET /things/:id 200')).toBe(2);
    expect(counts.get('POST /things 500')).toBe(1);
    expect([...counts.keys()].some((key) => key.includes('/things/1'))).toBe(false);
  });

  it('gives every unknown path one label, and unknown methods one value', async () => {
    const { app, metrics } = appWithMetrics();
    await app.request('/nothing/here');
    await app.request('/or/there');
    await app.request('/things/1', { method: 'PURGE' });
    const counts = await requestCounts(metrics);
    expect(counts.get(`GET ${UNMATCHED_ROUTE} 404`)).toBe(2);
    expect(counts.get(`OTHER ${UNMATCHED_ROUTE} 404`)).toBe(1);
  });

  it('serves the exposition on /metrics, with the service label', async () => {
    const { app } = appWithMetrics();
    await app.request('/things/1');
    const response = await app.request('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await response.text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith('http_server_request_duration_seconds_count{'));
    expect(line).toContain('service="test"');
    expect(line).toContain('route="/things/:id"');
    expect(line).toMatch(/ 1$/);
  });

  it('answers /metrics only to the scrape token when one is set', async () => {
    const token = 'a-scrape-token-of-some-length';
    const { app } = appWithMetrics(token);
    expect((await app.request('/metrics')).status).toBe(401);
    const wrong = { headers: { authorization: 'Bearer not-the-token-at-all' } };
    expect((await app.request('/metrics', wrong)).status).toBe(401);
    const right = { headers: { authorization: `Bearer ${token}` } };
    expect((await app.request('/metrics', right)).status).toBe(200);
  });
});

describe('labels and tokens', () => {
  it('keeps the usual methods and folds the rest', () => {
    expect(methodLabel('GET')).toBe('GET');
    expect(methodLabel('DELETE')).toBe('DELETE');
    expect(methodLabel('PROPFIND')).toBe('OTHER');
  });

  it('matches a bearer token exactly', () => {
    expect(bearerMatches('Bearer secret-token', 'secret-token')).toBe(true);
    expect(bearerMatches('bearer secret-token', 'secret-token')).toBe(true);
    expect(bearerMatches('Bearer secret-token2', 'secret-token')).toBe(false);
    expect(bearerMatches('Basic secret-token', 'secret-token')).toBe(false);
    expect(bearerMatches(undefined, 'secret-token')).toBe(false);
  });
});
