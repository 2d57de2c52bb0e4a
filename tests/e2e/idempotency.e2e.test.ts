import { randomUUID } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestFingerprint } from '../../services/gateway/src/domain/idempotency.js';
import {
  api,
  eventually,
  gatewayUrl,
  login,
  policies,
  ports,
  TestCluster,
} from '../support/test-cluster.js';

let cluster: TestCluster;
let replicaUrl: string;
let grace: string;
let frank: string;
let olga: string;

const otherCompany = {
  company: '0197b000-0000-7000-8000-000000000011',
  team: '0197b000-0000-7000-8000-000000000012',
  level: '0197b000-0000-7000-8000-000000000013',
  person: '0197b000-0000-7000-8000-000000000014',
};

/** A second company with one admin, written straight into the owning services' tables. */
async function addOtherCompany(): Promise<string> {
  const db = cluster.db;
  const ids = otherCompany;
  await db.query("insert into approval.company values ($1, 'Other Corp')", [ids.company]);
  await db.query("insert into approval.team values ($1, $2, 'Ops')", [ids.team, ids.company]);
  await db.query("insert into approval.level values ($1, $2, 1, 'Boss')", [ids.level, ids.company]);
  await db.query(
    "insert into approval.person values ($1, $2, $3, $4, 'Olga Other', 'olga@other.example', true)",
    [ids.person, ids.company, ids.team, ids.level],
  );
  await db.query(
    "insert into identity.credential (user_id, company_id, email, name, role, password_hash, active, email_verified_at) values ($1, $2, 'olga@other.example', 'Olga Other', 'admin', $3, true, now())",
    [ids.person, ids.company, await hash('other-password')],
  );
  const response = await api('POST', '/api/auth/login', undefined, {
    email: 'olga@other.example',
    password: 'other-password',
  });
  return String(response.body.access_token);
}

beforeAll(async () => {
  cluster = await TestCluster.start();
  replicaUrl = await cluster.startGatewayReplica(ports.gateway + 1);
  grace = await login('grace');
  frank = await login('frank');
  olga = await addOtherCompany();
});
afterAll(async () => cluster?.stop());

interface Answer {
  status: number;
  contentType: string;
  replayed: string | null;
  retryAfter: string | null;
  text: string;
  body: Record<string, unknown>;
}

/** A POST with an Idempotency-Key header (sent exactly as given), the raw answer kept. */
async function post(
  path: string,
  token: string,
  body: unknown,
  key: string | undefined,
  base = gatewayUrl,
): Promise<Answer> {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      ...(key !== undefined ? { 'idempotency-key': key } : {}),
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    replayed: response.headers.get('idempotent-replayed'),
    retryAfter: response.headers.get('retry-after'),
    text,
    body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

const newKey = () => `"${randomUUID()}"`;
const expenseBody = (description: string, amount = 25) => ({
  policy_id: policies.small,
  amount,
  description,
});

/** The caller's own expenses with this description, read through the public list. */
async function listed(token: string, description: string): Promise<string[]> {
  // A manager's list also shows their team's: ask for the caller's own.
  const page = await api(
    'GET',
    `/api/expenses?limit=100&submitter_id=${claimsOf(token).sub}`,
    token,
  );
  return (page.body.items ?? [])
    .filter((item) => item.description === description)
    .map((item) => String(item.id));
}

async function submittedEvents(expenseId: string): Promise<number> {
  const { rows } = await cluster.db.query<{ n: string }>(
    "select count(*) n from expense.outbox where payload->>'type' = 'ExpenseSubmitted' and payload->>'subject' = $1",
    [expenseId],
  );
  return Number(rows[0]?.n);
}

function claimsOf(token: string): { sub: string; company_id: string } {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString()) as {
    sub: string;
    company_id: string;
  };
}

function expectProblem(answer: Answer, status: number, type: string): void {
  expect(answer.status).toBe(status);
  expect(answer.contentType).toContain('application/problem+json');
  expect(answer.body).toMatchObject({ status, type: `https://countersign.dev/problems/${type}` });
}

describe('Idempotency-Key on POST /api/expenses', () => {
  const key = newKey();
  const description = `idempotent burst ${key}`;
  let expenseId: string;
  let firstBody: string;

  it('20 concurrent submissions with one key over two gateways create exactly one expense', async () => {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        post(
          '/api/expenses',
          grace,
          expenseBody(description),
          key,
          i % 2 ? replicaUrl : gatewayUrl,
        ),
      ),
    );
    const created = answers.filter((a) => a.status === 201);
    const inFlight = answers.filter((a) => a.status === 409);
    expect(created.length + inFlight.length).toBe(20);
    expect(created.length).toBeGreaterThanOrEqual(1);
    // The original and every replay carry the same body, byte for byte.
    expect(new Set(created.map((a) => a.text)).size).toBe(1);
    expect(created.filter((a) => a.replayed === null)).toHaveLength(1);
    expect(created.filter((a) => a.replayed === 'true')).toHaveLength(created.length - 1);
    for (const answer of inFlight) {
      expectProblem(answer, 409, 'idempotency-key-in-flight');
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    firstBody = created[0]?.text ?? '';
    expenseId = String(created[0]?.body.expense_id);

    expect(await listed(grace, description)).toEqual([expenseId]);
    expect(await submittedEvents(expenseId)).toBe(1);
    const { rows } = await cluster.db.query<{ n: string }>(
      'select count(*) n from expense.expense where description = $1',
      [description],
    );
    expect(Number(rows[0]?.n)).toBe(1);
  });

  it('replays the answer after completion: same status and body, marked as a replay', async () => {
    for (const base of [gatewayUrl, replicaUrl]) {
      const again = await post('/api/expenses', grace, expenseBody(description), key, base);
      expect(again.status).toBe(201);
      expect(again.replayed).toBe('true');
      expect(again.contentType).toContain('application/json');
      expect(again.text).toBe(firstBody);
    }
    // The same JSON in another key order and spacing is the same request.
    const reordered = `{ "description": ${JSON.stringify(description)}, "amount": 25, "policy_id": "${policies.small}" }`;
    expect((await post('/api/expenses', grace, reordered, key)).text).toBe(firstBody);
    // The bare key means the same key as the quoted one.
    expect(
      (await post('/api/expenses', grace, expenseBody(description), key.slice(1, -1))).text,
    ).toBe(firstBody);
    expect(await listed(grace, description)).toEqual([expenseId]);
  });

  it('refuses the same key with a different body (422) and creates nothing', async () => {
    const other = `${description} (changed)`;
    const answer = await post('/api/expenses', grace, expenseBody(other), key);
    expectProblem(answer, 422, 'idempotency-key-reused');
    expect(answer.replayed).toBeNull();
    expect(await listed(grace, other)).toEqual([]);
  });

  it('keeps callers apart: another user, or another company, may use the same key', async () => {
    const franks = await post('/api/expenses', frank, expenseBody(description), key);
    expect(franks.status).toBe(201);
    expect(franks.replayed).toBeNull();
    expect(franks.body.expense_id).not.toBe(expenseId);
    expect(await listed(frank, description)).toEqual([String(franks.body.expense_id)]);

    // Olga's company: the same key on another route is hers alone, not a reuse of Grace's.
    const team = await post('/api/teams', olga, { name: `Team ${key}` }, key);
    expect(team.status).toBe(201);
    expect(team.replayed).toBeNull();
    expect((await post('/api/teams', olga, { name: `Team ${key}` }, key)).replayed).toBe('true');
  });

  it('treats a key past its 24 hours as new', async () => {
    const { sub, company_id } = claimsOf(grace);
    await cluster.db.query(
      "update identity.idempotency_key set created_at = now() - interval '24 hours 1 second' where company_id = $1 and subject = $2 and key = $3",
      [company_id, sub, key.slice(1, -1)],
    );
    const fresh = await post('/api/expenses', grace, expenseBody(description), key);
    expect(fresh.status).toBe(201);
    expect(fresh.replayed).toBeNull();
    expect(fresh.body.expense_id).not.toBe(expenseId);
    expect((await listed(grace, description)).sort()).toEqual(
      [expenseId, String(fresh.body.expense_id)].sort(),
    );
    const replay = await post('/api/expenses', grace, expenseBody(description), key);
    expect(replay.replayed).toBe('true');
    expect(replay.body.expense_id).toBe(fresh.body.expense_id);
  });
});

describe('what is kept under a key', () => {
  it('replays a refusal (422 from the expense service) instead of running the request again', async () => {
    const key = newKey();
    const description = `refused once ${key}`;
    // In the owner's directory and in the expense service's routing copy of it.
    for (const schema of ['approval', 'expense']) {
      await cluster.db.query(
        `update ${schema}.person set active = false where email <> 'grace@techcorp.example'`,
      );
    }
    let refused: Answer;
    try {
      refused = await post('/api/expenses', grace, expenseBody(description, 5), key);
      expect(refused.status).toBe(422);
      expect(refused.contentType).toContain('application/problem+json');
    } finally {
      await cluster.db.query('update approval.person set active = true');
      await cluster.db.query('update expense.person set active = true');
    }
    // Now it would succeed, but the key's answer is the refusal.
    const retried = await post('/api/expenses', grace, expenseBody(description, 5), key);
    expect(retried.status).toBe(422);
    expect(retried.replayed).toBe('true');
    expect(retried.text).toBe(refused.text);
    expect(await listed(grace, description)).toEqual([]);
    // Without the key the same request runs, and succeeds.
    expect(
      (await post('/api/expenses', grace, expenseBody(description, 5), undefined)).status,
    ).toBe(201);
  });

  it('replays a validation refusal (400) too', async () => {
    const key = newKey();
    const first = await post('/api/expenses', grace, { amount: -1 }, key);
    expect(first.status).toBe(400);
    const again = await post('/api/expenses', grace, { amount: -1 }, key);
    expect(again.status).toBe(400);
    expect(again.replayed).toBe('true');
    expect(again.text).toBe(first.text);
  });

  it('lets a retry run once the lease of a request that died has run out', async () => {
    const key = newKey();
    const description = `after a crash ${key}`;
    const body = JSON.stringify(expenseBody(description));
    const { sub, company_id } = claimsOf(grace);
    // What a gateway that died mid-request leaves behind: a claim with no answer.
    await cluster.db.query(
      "insert into identity.idempotency_key (company_id, subject, key, method, path, fingerprint, claim_token, lease_until) values ($1, $2, $3, 'POST', '/api/expenses', $4, $5, now() + interval '60 seconds')",
      [
        company_id,
        sub,
        key.slice(1, -1),
        requestFingerprint({ method: 'POST', path: '/api/expenses', body }),
        randomUUID(),
      ],
    );
    const waiting = await post('/api/expenses', grace, body, key);
    expectProblem(waiting, 409, 'idempotency-key-in-flight');
    expect(Number(waiting.retryAfter)).toBeGreaterThan(50);
    expect(Number(waiting.retryAfter)).toBeLessThanOrEqual(60);
    expect(await listed(grace, description)).toEqual([]);

    await cluster.db.query(
      "update identity.idempotency_key set lease_until = now() - interval '1 second' where subject = $1 and key = $2",
      [sub, key.slice(1, -1)],
    );
    const retried = await post('/api/expenses', grace, body, key);
    expect(retried.status).toBe(201);
    expect(retried.replayed).toBeNull();
    expect(await listed(grace, description)).toEqual([String(retried.body.expense_id)]);
    expect((await post('/api/expenses', grace, body, key)).replayed).toBe('true');
  });

  it('refuses a bad key with 400 and creates nothing', async () => {
    const description = 'bad key';
    for (const bad of [
      '',
      '""',
      'x'.repeat(256),
      `"${'x'.repeat(256)}"`,
      'caf\u00e9',
      '"a", "b"',
    ]) {
      const answer = await post('/api/expenses', grace, expenseBody(description), bad);
      expectProblem(answer, 400, 'invalid-idempotency-key');
      expect(String(answer.body.detail)).toMatch(/Idempotency-Key/);
    }
    expect(await listed(grace, description)).toEqual([]);
    expect(
      (await post('/api/expenses', grace, expenseBody(description), 'x'.repeat(255))).status,
    ).toBe(201);
  });

  it('documents the header on the creating POSTs only', async () => {
    const doc = await api('GET', '/openapi.json');
    const paths = doc.body.paths as Record<
      string,
      Record<string, { parameters?: { name: string; in: string }[] }>
    >;
    const takesKey = (path: string, method: string) =>
      (paths[path]?.[method]?.parameters ?? []).some(
        (p) => p.in === 'header' && p.name === 'Idempotency-Key',
      );
    expect(takesKey('/api/expenses', 'post')).toBe(true);
    expect(takesKey('/api/workspaces/{id}/members', 'post')).toBe(true);
    expect(takesKey('/api/expenses/approve', 'post')).toBe(false);
    expect(takesKey('/api/auth/login', 'post')).toBe(false);
  });

  // Last: it restarts the expense service.
  it('frees the key after an upstream failure, so a retry runs the request', async () => {
    const key = newKey();
    const description = `upstream down ${key}`;
    await cluster.crash('expense');
    const failed = await post('/api/expenses', grace, expenseBody(description), key);
    expect(failed.status).toBe(503);
    await cluster.startService('expense');
    const retried = await eventually(async () => {
      const answer = await post('/api/expenses', grace, expenseBody(description), key);
      return answer.status === 201 ? answer : undefined;
    });
    expect(retried.replayed).toBeNull();
    expect(await listed(grace, description)).toEqual([String(retried.body.expense_id)]);
  });
});
