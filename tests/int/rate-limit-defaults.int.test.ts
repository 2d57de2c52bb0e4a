import { createLogger, createServiceApp, serveHttp } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, DEFAULT_API_LIMITS } from '../../services/gateway/src/config.js';
import * as rateLimitCounter from '../../services/gateway/src/db/migrations/2026-11-24T1501-rate-limit-counter.js';
import type { IdentityDatabase } from '../../services/gateway/src/db/types.js';
import { limitAuthAttempts } from '../../services/gateway/src/http/auth-attempt-limits.js';
import { limitApiRate, replicaRates } from '../../services/gateway/src/http/rate-limit.js';
import { freshServiceSchema } from '../support/int-database.js';

// The gateway's limits as they are when no RATE_LIMIT_* / AUTH_ATTEMPTS_* is set.
const defaults = configSchema.parse({});
const SCHEMA = 'rate_limit_defaults_test';
let db: Kysely<IdentityDatabase>;

beforeAll(async () => {
  db = await freshServiceSchema<IdentityDatabase>(
    SCHEMA,
    { '2026-11-24T1501-rate-limit-counter': rateLimitCounter },
    {
      maxConnections: 4,
    },
  );
});
afterAll(async () => db?.destroy());

/**
 * A gateway-shaped app with the default limits, served over real HTTP from loopback; its
 * clock stands still, so nothing refills while the test runs.
 */
async function withDefaultLimits<T>(work: (url: string) => Promise<T>): Promise<T> {
  const app = createServiceApp(createLogger('rate-limit-defaults', 'silent'), []);
  app.use(
    '/api/*',
    limitApiRate({
      ...replicaRates(defaults),
      // Any bearer token is a person of that name here: the limiter keys by subject.
      verifyToken: async (token) => ({
        sub: token,
        company_id: 'c',
        role: 'employee',
        name: token,
        email: `${token}@example.test`,
      }),
      trustedProxies: defaults.TRUST_PROXY,
      nowMs: () => 0,
    }),
  );
  const limits = {
    db,
    windowSeconds: defaults.RATE_LIMIT_WINDOW_SECONDS,
    perAddress: defaults.AUTH_ATTEMPTS_IP_PER_WINDOW,
    perAccount: 1_000,
    trustedProxies: defaults.TRUST_PROXY,
  };
  app.post('/api/auth/login', limitAuthAttempts(limits, false), (c) => c.json({ ok: true }));
  app.get('/api/ping', (c) => c.json({ ok: true }));
  const server = await serveHttp(app, '127.0.0.1', 0);
  try {
    return await work(`http://127.0.0.1:${server.port}`);
  } finally {
    await server.close();
  }
}

/** Sends `count` requests, 100 at a time; how many got each status. */
async function statuses(
  count: number,
  send: () => Promise<Response>,
): Promise<Map<number, number>> {
  const seen = new Map<number, number>();
  for (let sent = 0; sent < count; sent += 100) {
    const batch = Array.from({ length: Math.min(100, count - sent) }, async () => {
      const answer = await send();
      await answer.arrayBuffer();
      seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1);
    });
    await Promise.all(batch);
  }
  return seen;
}

describe('the default rate limits', () => {
  it('are 1,200 a minute per address, 600 per user and 30 sign-in attempts per address', () => {
    expect(DEFAULT_API_LIMITS).toEqual({ perAddress: 1_200, perUser: 600, signInPerAddress: 30 });
    expect(defaults).toMatchObject({
      RATE_LIMIT_WINDOW_SECONDS: 60,
      RATE_LIMIT_IP_PER_WINDOW: 1_200,
      RATE_LIMIT_USER_PER_WINDOW: 600,
      AUTH_ATTEMPTS_IP_PER_WINDOW: 30,
    });
  });

  it('refuse request 1,201 from one address within a minute', async () => {
    const seen = await withDefaultLimits((url) => statuses(1_201, () => fetch(`${url}/api/ping`)));
    expect(Object.fromEntries(seen)).toEqual({ 200: 1_200, 429: 1 });
  });

  it('refuse request 601 of one user, while another user from that address goes on', async () => {
    await withDefaultLimits(async (url) => {
      const as = (user: string) => () =>
        fetch(`${url}/api/ping`, { headers: { authorization: `Bearer ${user}` } });
      const seen = await statuses(601, as('ada'));
      expect(Object.fromEntries(seen)).toEqual({ 200: 600, 429: 1 });
      expect((await as('grace')()).status).toBe(200);
    });
  });

  it('refuse sign-in attempt 31 from one address within a minute', async () => {
    const seen = await withDefaultLimits((url) =>
      statuses(31, () =>
        fetch(`${url}/api/auth/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'ada@example.test', password: 'x' }),
        }),
      ),
    );
    expect(Object.fromEntries(seen)).toEqual({ 200: 30, 429: 1 });
  });
});
