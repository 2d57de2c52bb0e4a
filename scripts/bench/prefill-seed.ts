/**
 * The real part of `npm run bench:prefill`: a modest number of expenses created, approved
 * and rejected through the running cluster's gateway, so every service writes exactly the
 * rows a real history leaves. prefill-copy.ts then multiplies them in SQL.
 */
import { setTimeout as sleep } from 'node:timers/promises';

const DEMO_PASSWORD = 'countersign-demo';
const SUBMITTER_EMAIL = 'grace@techcorp.example';
const APPROVER_EMAIL = 'frank@techcorp.example';
const SMALL_EQUIPMENT_POLICY_ID = '0197a000-0000-7000-8000-000000000201';
const BUSINESS_TRAVEL_POLICY_ID = '0197a000-0000-7000-8000-000000000203';
const CONCURRENCY = 8;
const REQUEST_TIMEOUT_MS = 10_000;
const ROUTE_TIMEOUT_MS = 60_000;
const UNAVAILABLE_RETRIES = 40;

/** What happens to each seeded expense, by its index modulo 10: a history that is mostly decided. */
export type Fate = 'approve' | 'reject' | 'pending';
export function fateOf(index: number): Fate {
  const slot = index % 10;
  if (slot < 7) return 'approve';
  if (slot < 9) return 'reject';
  return 'pending';
}

interface Json {
  status: number;
  body: Record<string, unknown>;
}

/** One request, tried again while the cluster answers 503 (a busy PostgreSQL refuses connections now and then). */
async function call(
  baseUrl: string,
  method: 'GET' | 'POST',
  path: string,
  token?: string,
  payload?: unknown,
): Promise<Json> {
  for (let attempt = 1; ; attempt += 1) {
    const answer = await callOnce(baseUrl, method, path, token, payload);
    if (answer.status !== 503 || attempt === UNAVAILABLE_RETRIES) return answer;
    await sleep(250);
  }
}

async function callOnce(
  baseUrl: string,
  method: 'GET' | 'POST',
  path: string,
  token?: string,
  payload?: unknown,
): Promise<Json> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (payload !== undefined) headers['content-type'] = 'application/json';
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: payload === undefined ? undefined : JSON.stringify(payload),
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  });
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  return { status: response.status, body };
}

async function login(baseUrl: string, email: string): Promise<string> {
  const answer = await call(baseUrl, 'POST', '/api/auth/login', undefined, {
    email,
    password: DEMO_PASSWORD,
  });
  const token = answer.body.access_token;
  if (answer.status !== 200 || typeof token !== 'string') {
    throw new Error(
      `login as ${email} failed: HTTP ${answer.status} ${JSON.stringify(answer.body)}`,
    );
  }
  return token;
}

/** Runs `work` over 0..count-1 with a few requests in flight. */
async function forEachIndex(count: number, work: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      const index = next;
      next += 1;
      await work(index);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

function payloadOf(index: number): Record<string, unknown> {
  // A tenth on a two-step policy, so chains with several steps are in the history too.
  const travel = index % 10 === 3;
  return {
    policy_id: travel ? BUSINESS_TRAVEL_POLICY_ID : SMALL_EQUIPMENT_POLICY_ID,
    amount: (1_000 + ((index * 7_919) % 150_000)) / 100,
    description: `prefill: ${travel ? 'trip' : 'equipment'} #${index}`,
  };
}

/** Asks for a decision until routing has caught up (409/404 until the chain exists). */
async function decide(baseUrl: string, token: string, id: string, fate: Fate): Promise<void> {
  if (fate === 'pending') return;
  const deadline = Date.now() + ROUTE_TIMEOUT_MS;
  for (;;) {
    const answer =
      fate === 'approve'
        ? await call(baseUrl, 'POST', '/api/expenses/approve', token, {
            expense_id: id,
            comments: 'prefill approve',
          })
        : await call(baseUrl, 'POST', '/api/expenses/reject', token, {
            expense_id: id,
            reason: 'prefill reject',
          });
    if (answer.status === 200) return;
    if (Date.now() > deadline || (answer.status !== 404 && answer.status !== 409)) {
      throw new Error(`${fate} ${id} failed: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    await sleep(50);
  }
}

/** Creates `count` expenses as grace and has frank decide most of them; returns their ids. */
export async function seedThroughApi(baseUrl: string, count: number): Promise<string[]> {
  const submitter = await login(baseUrl, SUBMITTER_EMAIL);
  const approver = await login(baseUrl, APPROVER_EMAIL);
  const ids: string[] = new Array<string>(count);
  await forEachIndex(count, async (index) => {
    const answer = await call(baseUrl, 'POST', '/api/expenses', submitter, payloadOf(index));
    const id = answer.body.expense_id;
    if (answer.status !== 201 || typeof id !== 'string') {
      throw new Error(`create failed: HTTP ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    ids[index] = id;
  });
  await forEachIndex(count, async (index) => {
    const id = ids[index];
    if (id !== undefined) await decide(baseUrl, approver, id, fateOf(index));
  });
  return ids;
}
