import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDatabase, createLogger, createServiceApp, serveHttp } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as rateLimitCounter from '../../services/gateway/src/db/migrations/2026-11-24T1501-rate-limit-counter.js';
import type { IdentityDatabase } from '../../services/gateway/src/db/types.js';
import { limitAuthAttempts } from '../../services/gateway/src/http/auth-attempt-limits.js';
import { consumeRateLimit } from '../../services/gateway/src/use-cases/consume-rate-limit.js';
import { pruneRateLimitWindows } from '../../services/gateway/src/use-cases/prune-rate-limit-windows.js';
import { freshServiceSchema } from '../support/int-database.js';

// The gateway's rate-limit migration alone, in a schema of this test's own.
const SCHEMA = 'rate_limit_test';
let db: Kysely<IdentityDatabase>;

beforeAll(async () => {
  db = await freshServiceSchema<IdentityDatabase>(
    SCHEMA,
    { '2026-11-24T1501-rate-limit-counter': rateLimitCounter },
    {
      maxConnections: 16,
    },
  );
});
afterAll(async () => db?.destroy());

// The sign-in, sign-up and code attempt limits (and registrations) count here; the API-wide
// limits count in each gateway's memory (domain/gcra.ts).
describe('consumeRateLimit against PostgreSQL', () => {
  it('counts concurrent checks atomically: exactly `limit` of them are allowed', async () => {
    const limit = { key: 'int:concurrent', limit: 50, windowSeconds: 3600 };
    const verdicts = await Promise.all(
      Array.from({ length: 80 }, () => consumeRateLimit(db, limit)),
    );
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(50);
    expect(verdicts.filter((v) => !v.allowed)).toHaveLength(30);
    // Every hit got its own count: remaining runs 49 … 0 once each among the allowed.
    const remaining = verdicts.filter((v) => v.allowed).map((v) => v.remaining);
    expect(new Set(remaining).size).toBe(50);
    for (const refused of verdicts.filter((v) => !v.allowed)) {
      expect(refused.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(3600);
    }
  });

  it('keeps keys, and the same key under different windows, apart', async () => {
    await consumeRateLimit(db, { key: 'int:a', limit: 1, windowSeconds: 3600 });
    expect(
      (await consumeRateLimit(db, { key: 'int:a', limit: 1, windowSeconds: 3600 })).allowed,
    ).toBe(false);
    expect(
      (await consumeRateLimit(db, { key: 'int:b', limit: 1, windowSeconds: 3600 })).allowed,
    ).toBe(true);
    expect(
      (await consumeRateLimit(db, { key: 'int:a', limit: 1, windowSeconds: 1800 })).allowed,
    ).toBe(true);
  });

  it('starts counting again in the next window, and prunes the ended one', async () => {
    const limit = { key: 'int:short', limit: 1, windowSeconds: 1 };
    await consumeRateLimit(db, limit);
    const deadline = Date.now() + 10_000;
    let again = await consumeRateLimit(db, limit);
    while (!again.allowed && Date.now() < deadline) {
      await sleep(100);
      again = await consumeRateLimit(db, limit);
    }
    expect(again).toMatchObject({ allowed: true, remaining: 0 });
    await sleep(1100);
    expect(await pruneRateLimitWindows(db)).toBeGreaterThanOrEqual(1);
    const left = await db
      .selectFrom('rate_limit_counter')
      .select('key')
      .where('key', '=', 'int:short')
      .execute();
    expect(left).toHaveLength(0);
    const longLived = await db
      .selectFrom('rate_limit_counter')
      .select('key')
      .where('key', '=', 'int:concurrent')
      .execute();
    expect(longLived).toHaveLength(1);
  });
});

/** A loopback port nothing listens on: a PostgreSQL that is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** One login attempt at a sign-in route limited with `store`, served over real HTTP. */
async function attemptLogin(store: Kysely<IdentityDatabase>): Promise<Response> {
  const app = createServiceApp(createLogger('rate-limit-test', 'silent'), []);
  const limits = { db: store, windowSeconds: 60, perAddress: 5, perAccount: 5, trustedProxies: 0 };
  app.post('/api/auth/login', limitAuthAttempts(limits, false), (c) => c.json({ signed_in: true }));
  const server = await serveHttp(app, '127.0.0.1', 0);
  try {
    return await fetch(`http://127.0.0.1:${server.port}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({ email: 'down@example.test', password: 'x' }),
    });
  } finally {
    await server.close();
  }
}

describe('sign-in attempt limits when PostgreSQL is down', () => {
  it('fail closed: 503 problem+json, never a 500 and never let through', async () => {
    const down = createDatabase<IdentityDatabase>({
      url: `postgres://postgres@127.0.0.1:${await closedPort()}/nowhere`,
      schema: SCHEMA,
      maxConnections: 1,
    });
    try {
      const answer = await attemptLogin(down);
      expect(answer.status).toBe(503);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect(await answer.json()).toMatchObject({
        type: 'https://countersign.dev/problems/rate-limit-unavailable',
        status: 503,
      });
    } finally {
      await down.destroy();
    }
  });

  it('let the same attempt through once the store answers again', async () => {
    const answer = await attemptLogin(db);
    expect(answer.status).toBe(200);
  });
});

describe('code attempt limits and an e-mail field that is no address', () => {
  it('count the attempt per client address only, so text with NUL is a 400, not a 503', async () => {
    const app = createServiceApp(createLogger('rate-limit-test', 'silent'), []);
    const limits = { db, windowSeconds: 60, perAddress: 5, perAccount: 5, trustedProxies: 0 };
    app.post('/api/auth/resend-code', limitAuthAttempts(limits, true), (c) =>
      c.json({ sent: true }),
    );
    const server = await serveHttp(app, '127.0.0.1', 0);
    const send = async (email: string) =>
      (
        await fetch(`http://127.0.0.1:${server.port}/api/auth/resend-code`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email }),
        })
      ).status;
    try {
      // The route would refuse the first with a 400; the limit lets it reach the route.
      expect(await send("\u0000' OR '1'='1\u0000")).toBe(200);
      expect(await send('someone@example.com')).toBe(200);
    } finally {
      await server.close();
    }
    const accountKeys = await db
      .selectFrom('rate_limit_counter')
      .select('key')
      .where('key', 'like', 'auth:account:%')
      .execute();
    expect(accountKeys.map((row) => row.key)).toEqual([
      'auth:account:/api/auth/resend-code:someone@example.com',
    ]);
  });
});
