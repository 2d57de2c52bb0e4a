import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, gatewayUrl, login, ports, TestCluster } from '../support/test-cluster.js';

// Long enough that the API limits barely refill while one test runs (one request back
// every 5 s per address, every 12 s per subject), short enough to wait one refill out.
const WINDOW_SECONDS = 60;
// Two gateways share the API limits, each counting in its own memory: each enforces half.
const REPLICAS = 2;
const PER_ADDRESS = 12;
const PER_SUBJECT = 5;
const AUTH_PER_ADDRESS = 4;
const AUTH_PER_ACCOUNT = 3;

let cluster: TestCluster;
let replicaUrl: string;
let grace: string;
let frank: string;
let ivan: string;

beforeAll(async () => {
  cluster = await TestCluster.start({
    RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
    RATE_LIMIT_IP_PER_WINDOW: String(PER_ADDRESS * REPLICAS),
    RATE_LIMIT_USER_PER_WINDOW: String(PER_SUBJECT * REPLICAS),
    RATE_LIMIT_REPLICAS: String(REPLICAS),
    // One trusted proxy: each test names its own client address in X-Forwarded-For, so
    // the tests' counts stay apart although every request comes from 127.0.0.1.
    TRUST_PROXY: 'true',
    AUTH_ATTEMPTS_IP_PER_WINDOW: String(AUTH_PER_ADDRESS),
    AUTH_ATTEMPTS_ACCOUNT_PER_WINDOW: String(AUTH_PER_ACCOUNT),
  });
  replicaUrl = await cluster.startGatewayReplica(ports.gateway + 1);
  grace = await login('grace');
  frank = await login('frank');
  ivan = await login('ivan');
});
afterAll(async () => cluster?.stop());

let nextAddress = 1;
/** A client address no other test has used. */
const newClient = () => `203.0.113.${nextAddress++}`;

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

async function call(
  path: string,
  options: { from: string; token?: string; base?: string; method?: string; body?: string },
): Promise<Answer> {
  const response = await fetch(`${options.base ?? gatewayUrl}${path}`, {
    method: options.method ?? 'GET',
    headers: {
      'x-forwarded-for': options.from,
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(options.body !== undefined ? { body: options.body } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text },
  };
}

function expectTooManyRequests(answer: Answer, limit: number): void {
  expect(answer.status).toBe(429);
  expect(answer.headers.get('content-type')).toContain('application/problem+json');
  expect(answer.body).toMatchObject({ status: 429, title: 'Too many requests' });
  const retryAfter = Number(answer.headers.get('retry-after'));
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
  expect(answer.headers.get('ratelimit-limit')).toBe(String(limit));
  expect(answer.headers.get('ratelimit-remaining')).toBe('0');
  expect(Number(answer.headers.get('ratelimit-reset'))).toBe(retryAfter);
}

describe('body size and page size limits answer problem+json through the gateway', () => {
  it('refuses a body over 64 KiB with 413', async () => {
    const body = JSON.stringify({
      policy_id: '0197a000-0000-7000-8000-000000000201',
      amount: 1,
      description: 'x'.repeat(70 * 1024),
    });
    const answer = await call('/api/expenses', {
      from: newClient(),
      token: grace,
      method: 'POST',
      body,
    });
    expect(answer.status).toBe(413);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.body).toMatchObject({ status: 413 });
  });

  it.each([
    '/api/expenses?limit=101',
    '/api/approvals/pending?limit=1000',
    '/api/notifications?limit=101',
  ])('refuses %s with 400', async (path) => {
    const answer = await call(path, { from: newClient(), token: frank });
    expect(answer.status).toBe(400);
    expect(answer.headers.get('content-type')).toContain('application/problem+json');
    expect(answer.body).toMatchObject({ status: 400 });
    expect(JSON.stringify(answer.body.errors)).toContain('limit');
  });

  it('accepts the largest page size', async () => {
    expect(
      (await call('/api/expenses?limit=100', { from: newClient(), token: grace })).status,
    ).toBe(200);
  });
});

describe('rate limits per client address', () => {
  it('counts every API request, answered or refused, and then answers 429 with its headers', async () => {
    const client = newClient();
    for (let i = 1; i <= PER_ADDRESS; i++) {
      // No token: refused with 401, and still counted.
      const answer = await call('/api/expenses', { from: client });
      expect(answer.status).toBe(401);
      expect(answer.headers.get('ratelimit-limit')).toBe(String(PER_ADDRESS));
      expect(answer.headers.get('ratelimit-remaining')).toBe(String(PER_ADDRESS - i));
    }
    expectTooManyRequests(await call('/api/expenses', { from: client }), PER_ADDRESS);
    const loginBody = JSON.stringify({ email: 'grace@techcorp.example', password: 'x' });
    expectTooManyRequests(
      await call('/api/auth/login', { from: client, method: 'POST', body: loginBody }),
      PER_ADDRESS,
    );
    // Another address is not affected.
    expect((await call('/api/expenses', { from: newClient() })).status).toBe(401);
  });

  it('leaves health, readiness, JWKS, docs and the OpenAPI document open', async () => {
    const client = newClient();
    for (let i = 0; i <= PER_ADDRESS; i++) await call('/api/expenses', { from: client });
    expect((await call('/api/expenses', { from: client })).status).toBe(429);
    for (const path of [
      '/healthz',
      '/readyz',
      '/.well-known/jwks.json',
      '/openapi.json',
      '/docs',
    ]) {
      const answer = await call(path, { from: client });
      expect(answer.status, path).toBe(200);
      expect(answer.headers.get('ratelimit-limit'), path).toBeNull();
    }
  });

  it('lets the client in again after Retry-After, one request per refill', async () => {
    const client = newClient();
    const refused = await eventually(async () => {
      const answer = await call('/api/expenses', { from: client });
      return answer.status === 429 ? answer : undefined;
    }, 5_000);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS / PER_ADDRESS);
    await sleep(retryAfter * 1000);
    const readmitted = await call('/api/expenses', { from: client });
    expect(readmitted.status).toBe(401);
    expect(Number(readmitted.headers.get('ratelimit-remaining'))).toBeLessThan(PER_ADDRESS - 1);
  });

  it('gives each gateway replica its share: together they let the configured limit through', async () => {
    const client = newClient();
    for (let i = 0; i < PER_ADDRESS; i++) {
      expect((await call('/api/expenses', { from: client, base: gatewayUrl })).status).toBe(401);
    }
    expectTooManyRequests(
      await call('/api/expenses', { from: client, base: gatewayUrl }),
      PER_ADDRESS,
    );
    // The other replica has counted none of them.
    for (let i = 0; i < PER_ADDRESS; i++) {
      expect((await call('/api/expenses', { from: client, base: replicaUrl })).status).toBe(401);
    }
    expectTooManyRequests(
      await call('/api/expenses', { from: client, base: replicaUrl }),
      PER_ADDRESS,
    );
  });
});

describe('the OpenAPI document', () => {
  it('lists 429 among the answers of every API route', async () => {
    const document = (await call('/openapi.json', { from: newClient() })).body as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    );
    expect(operations.length).toBeGreaterThan(5);
    for (const { path, method, operation } of operations) {
      expect(operation.responses['429'], `${method} ${path}`).toBeDefined();
    }
  });
});

describe('rate limits per token subject', () => {
  it('limits one subject wherever it calls from, and not another subject at the same address', async () => {
    const client = newClient();
    for (let i = 1; i <= PER_SUBJECT; i++) {
      // A fresh address each time: only the subject's count can run out.
      const answer = await call('/api/expenses', { from: newClient(), token: ivan });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('ratelimit-remaining')).toBe(String(PER_SUBJECT - i));
    }
    expectTooManyRequests(await call('/api/expenses', { from: client, token: ivan }), PER_SUBJECT);
    expectTooManyRequests(
      await call('/api/expenses', { from: newClient(), token: ivan }),
      PER_SUBJECT,
    );
    expect((await call('/api/expenses', { from: client, token: frank })).status).toBe(200);
  });
});

describe('sign-in and code attempts have tighter limits of their own', () => {
  const attempt = (from: string, email: string, password = 'not the password') =>
    call('/api/auth/login', {
      from,
      method: 'POST',
      body: JSON.stringify({ email, password }),
    });

  it('per client address, whatever account is tried', async () => {
    const guesser = newClient();
    for (let i = 0; i < AUTH_PER_ADDRESS; i++) {
      expect((await attempt(guesser, `nobody${i}@techcorp.example`)).status).toBe(401);
    }
    const refused = await attempt(guesser, 'grace@techcorp.example', 'countersign-demo');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body.type).toMatch(/too-many-requests$/);
    // Someone else signs in as usual.
    expect((await attempt(newClient(), 'grace@techcorp.example', 'countersign-demo')).status).toBe(
      200,
    );
  });

  it('per account, from however many addresses the guesses come', async () => {
    for (let i = 0; i < AUTH_PER_ACCOUNT; i++) {
      expect((await attempt(newClient(), 'carol@techcorp.example')).status).toBe(401);
    }
    const refused = await attempt(newClient(), 'carol@techcorp.example', 'countersign-demo');
    expect(refused.status).toBe(429);
    // Other accounts are not held back by Carol's.
    expect((await attempt(newClient(), 'eve@techcorp.example', 'countersign-demo')).status).toBe(
      200,
    );
  });

  it('guessing the current password with a signed-in token is limited per subject', async () => {
    const token = await login('hannah');
    const statuses: number[] = [];
    for (let i = 0; i <= AUTH_PER_ACCOUNT; i++) {
      const answer = await call('/api/auth/password', {
        from: newClient(),
        token,
        method: 'POST',
        body: JSON.stringify({
          current_password: `guess ${i}`,
          new_password: 'whatever it is now',
        }),
      });
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([403, 403, 403, 429]);
  });

  it('code guesses count too, before the code is even checked', async () => {
    const statuses: number[] = [];
    for (let i = 0; i <= AUTH_PER_ACCOUNT; i++) {
      const answer = await call('/api/auth/verify-email', {
        from: newClient(),
        method: 'POST',
        body: JSON.stringify({ email: 'someone@new.example', code: '000000' }),
      });
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([400, 400, 400, 429]);
  });
});
