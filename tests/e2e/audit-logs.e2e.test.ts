import { randomUUID } from 'node:crypto';
import { demoCompany, demoUsers } from '@countersign/demo-data';
import { hash } from '@node-rs/argon2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiResponse,
  api,
  eventually,
  gatewayUrl,
  login,
  policies,
  TestCluster,
} from '../support/test-cluster.js';

/**
 * The audit trail through the gateway: real actions leave entries with their actor,
 * request id and trace id in the service that changed something; the merged list filters
 * and pages (every entry once), only admins and auditors read it, never another company's
 * entries; every service's chainer links its entries shortly after they are written;
 * verify names the entry someone edited in SQL.
 */

/** The entry once the service's chainer has given it its place in the chain. */
async function chained(token: string, query: string): Promise<Entry> {
  return eventually(async () => {
    const [entry] = await trail(token, query);
    return entry?.sequence != null ? entry : undefined;
  });
}

let cluster: TestCluster;
let grace: string;
let frank: string;
let ivan: string;
let alice: string;
let olga: string;
let expenseId: string;
const requestId = `audit-e2e-${randomUUID()}`;
const idOf = (first: string) =>
  demoUsers.find((u) => u.email.startsWith(`${first}@`))?.id ?? 'missing';
const otherCompany = '0197c000-0000-7000-8000-000000000001';

type Entry = Record<string, unknown> & {
  id: string;
  service: string;
  company_id: string;
  sequence: number | null;
  hash: string | null;
  action: string;
  entity_id: string | null;
  actor: { kind: string; id: string; role: string | null };
  request_id: string | null;
  trace_id: string | null;
};

async function withRequestId(method: string, path: string, token: string, body: unknown) {
  const response = await fetch(`${gatewayUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'x-request-id': requestId,
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const items = (response: ApiResponse) => (response.body.items ?? []) as unknown as Entry[];

async function trail(token: string, query: string): Promise<Entry[]> {
  const response = await api('GET', `/api/audit-logs?${query}`, token);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return items(response);
}

/** Every entry of the query, page by page. */
async function walk(token: string, query: string, limit: number): Promise<Entry[]> {
  const seen: Entry[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < 500; page++) {
    const suffix: string = cursor ? `&cursor=${encodeURIComponent(cursor)}` : '';
    const response = await api('GET', `/api/audit-logs?${query}&limit=${limit}${suffix}`, token);
    expect(response.status).toBe(200);
    seen.push(...items(response));
    cursor = response.body.next_cursor as string | null;
    if (!cursor) return seen;
  }
  throw new Error('the walk did not end');
}

beforeAll(async () => {
  cluster = await TestCluster.start();
  await cluster.db.query(
    "insert into identity.credential (user_id, company_id, email, name, role, password_hash, active, email_verified_at) values ($1, $2, 'olga@audit-other.example', 'Olga Other', 'admin', $3, true, now())",
    ['0197c000-0000-7000-8000-000000000002', otherCompany, await hash('other-password')],
  );
  const signIn = await api('POST', '/api/auth/login', undefined, {
    email: 'olga@audit-other.example',
    password: 'other-password',
  });
  olga = String(signIn.body.access_token);
  grace = await login('grace');
  frank = await login('frank');
  ivan = await login('ivan');
  alice = await login('alice');
  const failed = await api('POST', '/api/auth/login', undefined, {
    email: 'grace@techcorp.example',
    password: 'not-her-password',
  });
  expect(failed.status).toBe(401);
  const created = await withRequestId('POST', '/api/expenses', grace, {
    policy_id: policies.small,
    amount: 25,
    description: 'Audited lunch',
  });
  expect(created.status).toBe(201);
  expenseId = String(created.body.expense_id);
  await eventually(async () => {
    const r = await api('GET', '/api/approvals/pending?limit=100', frank);
    return r.body.items?.some((i) => i.expense_id === expenseId) ? true : undefined;
  });
  const approved = await withRequestId('POST', '/api/expenses/approve', frank, {
    expense_id: expenseId,
  });
  expect(approved.status).toBe(200);
});
afterAll(async () => cluster?.stop());

describe('real actions leave entries', () => {
  it('a submission: in expense, by the submitter with her role, the request id and a trace id', async () => {
    const [entry] = await trail(ivan, `action=expense.submitted&entity_id=${expenseId}`);
    expect(entry).toMatchObject({
      service: 'expense',
      company_id: demoCompany.id,
      action: 'expense.submitted',
      entity_type: 'expense',
      entity_id: expenseId,
      actor: { kind: 'user', id: idOf('grace'), role: 'employee' },
      request_id: `client:${requestId}`,
    });
    expect(entry?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    const linked = await chained(ivan, `action=expense.submitted&entity_id=${expenseId}`);
    expect(linked).toMatchObject({ id: entry?.id, sequence: expect.any(Number) });
    expect(linked.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a decision: in approval, by the approver, with the request id it came in with', async () => {
    const entries = await eventually(async () => {
      const found = await trail(ivan, `service=approval&entity_id=${expenseId}`);
      return found.some((e) => e.action === 'step.approved') ? found : undefined;
    });
    const decision = entries.find((e) => e.action === 'step.approved');
    expect(decision).toMatchObject({
      actor: { kind: 'user', id: idOf('frank'), role: 'manager' },
      request_id: `client:${requestId}`,
    });
    expect(decision?.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('sign-ins and a failed sign-in: in the gateway’s identity trail', async () => {
    const graces = await trail(alice, `service=gateway&actor=${idOf('grace')}`);
    const actions = graces.map((e) => e.action);
    expect(actions).toContain('auth.logged_in');
    expect(actions).toContain('auth.login_failed');
    const failed = graces.find((e) => e.action === 'auth.login_failed');
    expect(failed?.after).toEqual({ reason: 'wrong_password' });
    expect(failed?.trace_id).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('changes with before and after', () => {
  it('a category renamed: the entry holds the name before and after', async () => {
    const created = await api('POST', '/api/categories', alice, { name: 'Audit Snacks' });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = String(created.body.id);
    const renamed = await api('PATCH', `/api/categories/${id}`, alice, { name: 'Audit Meals' });
    expect(renamed.status, JSON.stringify(renamed.body)).toBe(200);
    const entries = await trail(ivan, `service=expense&entity_id=${id}`);
    expect(entries.map((e) => e.action)).toEqual(['category.updated', 'category.created']);
    expect(entries[0]).toMatchObject({
      actor: { kind: 'user', id: idOf('alice'), role: 'admin' },
      before: { name: 'Audit Snacks' },
      after: { name: 'Audit Meals' },
    });
  });

  it('a delegation: in approval, by the delegator', async () => {
    const created = await api('POST', '/api/delegations', frank, {
      delegate_id: idOf('eve'),
      starts_on: '2026-01-01',
      ends_on: '2099-12-31',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const [entry] = await trail(ivan, `entity_id=${String(created.body.id)}`);
    expect(entry).toMatchObject({
      service: 'approval',
      action: 'delegation.created',
      actor: { kind: 'user', id: idOf('frank'), role: 'manager' },
    });
  });
});

describe('filters and paging', () => {
  it('each filter keeps only what it names', async () => {
    for (const e of await trail(ivan, `actor=${idOf('frank')}&limit=100`)) {
      expect(e.actor.id).toBe(idOf('frank'));
    }
    for (const e of await trail(ivan, 'service=gateway&limit=100'))
      expect(e.service).toBe('gateway');
    for (const e of await trail(ivan, 'entity_type=step&limit=100'))
      expect(e.entity_type).toBe('step');
    const future = new Date(Date.now() + 86_400_000).toISOString();
    expect(await trail(ivan, `from=${encodeURIComponent(future)}`)).toEqual([]);
    const past = '2000-01-01T00:00:00.000Z';
    expect(await trail(ivan, `to=${encodeURIComponent(past)}`)).toEqual([]);
  });

  it('walks every entry exactly once, newest first, whatever the page size', async () => {
    const until = encodeURIComponent(new Date().toISOString());
    await eventually(async () => {
      const small = await walk(ivan, `to=${until}`, 3);
      const large = await walk(ivan, `to=${until}`, 100);
      const ids = small.map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
      const times = small.map((e) => Date.parse(String(e.occurred_at)));
      expect(times).toEqual([...times].sort((a, b) => b - a));
      return JSON.stringify(ids) === JSON.stringify(large.map((e) => e.id)) ? true : undefined;
    });
    const services = new Set((await walk(ivan, `to=${until}`, 100)).map((e) => e.service));
    expect([...services].sort()).toEqual(['approval', 'expense', 'gateway', 'notification']);
  });

  it('refuses a bad filter or cursor with a problem naming it', async () => {
    const bad = await api('GET', '/api/audit-logs?action=Not%20An%20Action', ivan);
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('action');
    const cursor = await api('GET', '/api/audit-logs?cursor=bm9wZQ', ivan);
    expect(cursor.status).toBe(400);
    expect(JSON.stringify(cursor.body)).toContain('cursor');
  });
});

describe('who may read it', () => {
  it('admins and auditors; every other role is refused with 403', async () => {
    for (const path of ['/api/audit-logs', '/api/audit-logs/verify']) {
      expect((await api('GET', path, ivan)).status).toBe(200);
      expect((await api('GET', path, alice)).status).toBe(200);
      for (const token of [grace, frank, await login('hannah')]) {
        const refused = await api('GET', path, token);
        expect(refused.status).toBe(403);
        expect(refused.contentType).toContain('application/problem+json');
      }
      expect((await api('GET', path)).status).toBe(401);
    }
  });

  it('never shows another company’s entries', async () => {
    const theirs = await walk(olga, 'service=gateway', 100);
    expect(theirs.length).toBeGreaterThan(0);
    for (const e of theirs) expect(e.company_id).toBe(otherCompany);
    const all = await walk(olga, 'limit=100', 100);
    const text = JSON.stringify(all);
    for (const mark of [demoCompany.id, idOf('grace'), expenseId]) expect(text).not.toContain(mark);
    expect(await trail(olga, `entity_id=${expenseId}`)).toEqual([]);
  });
});

describe('verify', () => {
  it('finds every chain intact, then names the entry edited in SQL', async () => {
    // Every service's chainer links what was written: nothing is left unchained for long.
    const intact = await eventually(async () => {
      const r = await api('GET', '/api/audit-logs/verify', ivan);
      const services = r.body.services as { unchained: number }[];
      return services.every((s) => s.unchained === 0) ? r : undefined;
    });
    expect(intact.body).toMatchObject({ intact: true, first_broken: null });
    expect((intact.body.services as { service: string }[]).map((s) => s.service)).toEqual([
      'gateway',
      'expense',
      'approval',
      'notification',
    ]);
    const submitted = await chained(ivan, `action=expense.submitted&entity_id=${expenseId}`);
    const client = await cluster.db.connect();
    try {
      await client.query('begin');
      await client.query('set local session_replication_role = replica');
      await client.query(
        `update expense.audit_log set after = after || '{"amount": "1.00"}' where id = $1`,
        [submitted?.id],
      );
      await client.query('commit');
    } finally {
      client.release();
    }
    const broken = await api('GET', '/api/audit-logs/verify', alice);
    expect(broken.body).toMatchObject({
      intact: false,
      first_broken: {
        service: 'expense',
        sequence: submitted?.sequence,
        id: submitted?.id,
        reason: expect.stringMatching(/content was changed/),
      },
    });
    // Another company's chains are not touched by TechCorp's.
    expect((await api('GET', '/api/audit-logs/verify', olga)).body).toMatchObject({ intact: true });
  });
});
