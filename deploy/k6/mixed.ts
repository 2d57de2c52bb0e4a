/**
 * Seed 001's mixed load against a real Countersign cluster, for k6 (which runs .ts directly):
 *
 *   k6 run -e BASE_URL=https://countersign.example deploy/k6/mixed.ts
 *
 * 50% create (grace, Small Equipment), 30% approve (frank, grace's manager), 20% status
 * (grace), at a constant arrival rate so latency is measured open-loop: a slow server does
 * not slow the offered load down and so cannot hide its own tail.
 *
 * Env: BASE_URL (http://127.0.0.1:4000), RATE iterations/s (100), DURATION_S (60),
 * PRE_VUS (20), MAX_VUS (200), POOL pre-created expenses to approve (200).
 */
import { check, fail, sleep } from 'k6';
import type { RefinedResponse, ResponseType } from 'k6/http';
import http from 'k6/http';
import { Counter } from 'k6/metrics';
import type { Options } from 'k6/options';

const BASE_URL = (__ENV.BASE_URL ?? 'http://127.0.0.1:4000').replace(/\/+$/, '');
const RATE = intEnv('RATE', 100);
const DURATION_S = intEnv('DURATION_S', 60);
const PRE_VUS = intEnv('PRE_VUS', 20);
const MAX_VUS = intEnv('MAX_VUS', 200);
const POOL = intEnv('POOL', 200);

const SMALL_EQUIPMENT_POLICY_ID = '0197a000-0000-7000-8000-000000000201';
const DEMO_PASSWORD = 'countersign-demo';
const SUBMITTER_EMAIL = 'grace@techcorp.example';
const APPROVER_EMAIL = 'frank@techcorp.example';
/** Routing is asynchronous (outbox → NATS → approval service); approving sooner would 404. */
const ROUTING_GRACE_MS = 200;
const PAGE_LIMIT = 100;
const MAX_PENDING_PAGES = 200;
const ROUTE_WAIT_ATTEMPTS = 20;

const ENDPOINTS = ['create', 'approve', 'status'] as const;

function intEnv(name: string, fallback: number): number {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`${name} must be a positive integer, got "${raw}"`);
  }
  return value;
}

/**
 * The two thresholds are the service objective. The per-endpoint entries use criteria that
 * always pass: they exist so the end-of-test summary shows each endpoint's own percentiles and
 * failure rate (k6's documented sub-metric workaround), without adding pass/fail conditions.
 */
function thresholds(): Record<string, string[]> {
  const result: Record<string, string[]> = {
    http_req_failed: ['rate<0.01'],
    http_req_duration: ['p(99)<50'],
  };
  for (const endpoint of ENDPOINTS) {
    result[`http_req_duration{endpoint:${endpoint}}`] = ['max>=0'];
    result[`http_req_failed{endpoint:${endpoint}}`] = ['rate>=0'];
  }
  return result;
}

export const options: Options = {
  scenarios: {
    mixed: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: `${DURATION_S}s`,
      preAllocatedVUs: PRE_VUS,
      maxVUs: MAX_VUS,
    },
  },
  thresholds: thresholds(),
  summaryTrendStats: ['avg', 'med', 'p(95)', 'p(99)', 'max'],
  // Pool creation is sequential; leave room for a slow link.
  setupTimeout: '180s',
};

/** Approve draws that found no routed expense of this VU's and were sent as status reads. */
const approveStarved = new Counter('approve_starved');

interface SetupData {
  submitterToken: string;
  approverToken: string;
  /** Grace's pre-created expenses that frank's queue shows as routed. */
  pool: string[];
}

// ---------------------------------------------------------------------------------------------
// Helpers

type Response = RefinedResponse<ResponseType | undefined>;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses the body without throwing: a non-JSON error page must count as a failure, not abort. */
function jsonBody(response: Response): unknown {
  try {
    return response.json();
  } catch {
    return undefined;
  }
}

function stringField(value: unknown, key: string): string | undefined {
  const field = isObject(value) ? value[key] : undefined;
  return typeof field === 'string' ? field : undefined;
}

function params(
  token: string | undefined,
  endpoint: string,
  name: string,
): { headers: Record<string, string>; tags: Record<string, string> } {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Accept: 'application/json',
  };
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  // A fixed `name` keeps per-id URLs from each becoming their own time series.
  return { headers, tags: { endpoint, name } };
}

function expensePayload(): string {
  // Whole cents, so the JSON number never carries float noise (the API takes ≤ 2 decimals).
  const cents = 1000 + Math.floor(Math.random() * (199900 - 1000 + 1));
  return JSON.stringify({
    policy_id: SMALL_EQUIPMENT_POLICY_ID,
    amount: cents / 100,
    description: 'k6: small equipment',
  });
}

// ---------------------------------------------------------------------------------------------
// Setup: tokens and a pool of routed expenses

function login(email: string): { token: string; expiresIn: number } {
  const response = http.post(
    `${BASE_URL}/api/auth/login`,
    JSON.stringify({ email, password: DEMO_PASSWORD }),
    params(undefined, 'setup', 'POST /api/auth/login'),
  );
  const body = jsonBody(response);
  const token = stringField(body, 'access_token');
  if (response.status !== 200 || token === undefined) {
    fail(`login as ${email} failed: HTTP ${response.status}`);
  }
  const expiresIn =
    isObject(body) && typeof body.expires_in === 'number'
      ? body.expires_in
      : Number.POSITIVE_INFINITY;
  return { token, expiresIn };
}

function createPool(token: string): string[] {
  const ids: string[] = [];
  for (let i = 0; i < POOL; i += 1) {
    const response = http.post(
      `${BASE_URL}/api/expenses`,
      expensePayload(),
      params(token, 'setup', 'POST /api/expenses'),
    );
    const id = stringField(jsonBody(response), 'expense_id');
    if (response.status === 201 && id !== undefined) ids.push(id);
  }
  if (ids.length === 0) fail('setup could not create any expense');
  return ids;
}

function pendingIds(body: unknown): string[] {
  const items = isObject(body) ? body.items : undefined;
  if (!Array.isArray(items)) return [];
  const ids: string[] = [];
  for (const item of items) {
    const id = stringField(item, 'expense_id');
    if (id !== undefined) ids.push(id);
  }
  return ids;
}

/** One walk over frank's queue, bounded in pages, recording which wanted ids it shows. */
function scanPending(token: string, wanted: Set<string>, found: Set<string>): void {
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PENDING_PAGES && found.size < wanted.size; page += 1) {
    const after = cursor === undefined ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const response = http.get(
      `${BASE_URL}/api/approvals/pending?limit=${PAGE_LIMIT}${after}`,
      params(token, 'setup', 'GET /api/approvals/pending'),
    );
    if (response.status !== 200) fail(`GET pending approvals failed: HTTP ${response.status}`);
    const body = jsonBody(response);
    for (const id of pendingIds(body)) if (wanted.has(id)) found.add(id);
    cursor = stringField(body, 'next_cursor');
    if (cursor === undefined) return;
  }
}

function routedSubset(token: string, ids: string[]): string[] {
  const wanted = new Set(ids);
  const found = new Set<string>();
  for (let attempt = 0; attempt < ROUTE_WAIT_ATTEMPTS && found.size < wanted.size; attempt += 1) {
    scanPending(token, wanted, found);
    if (found.size < wanted.size) sleep(0.25);
  }
  if (found.size === 0) fail(`none of ${ids.length} pool expenses reached frank's pending queue`);
  return ids.filter((id) => found.has(id));
}

export function setup(): SetupData {
  const submitter = login(SUBMITTER_EMAIL);
  const approver = login(APPROVER_EMAIL);
  // No re-login during the run: a token that expires mid-test would turn the tail into 401s.
  if (Math.min(submitter.expiresIn, approver.expiresIn) < DURATION_S + 60) {
    fail(`tokens expire before the ${DURATION_S}s run ends; lower DURATION_S`);
  }
  const pool = routedSubset(approver.token, createPool(submitter.token));
  return { submitterToken: submitter.token, approverToken: approver.token, pool };
}

// ---------------------------------------------------------------------------------------------
// Per-VU state. Each k6 VU runs its own JS runtime, so module state is VU-local: approvals
// must only use ids this VU owns, or two VUs would approve the same expense and get 409s.

interface Approvable {
  id: string;
  readyAt: number;
}

interface VuState {
  approvable: Approvable[];
  head: number;
  /** Ids of grace's expenses for status reads; sharing these across VUs is harmless. */
  known: string[];
}

let vuState: VuState | undefined;

function stateFor(data: SetupData): VuState {
  if (vuState === undefined) {
    // VUs are numbered 1..MAX_VUS; slot the pool so each id belongs to exactly one VU.
    const slot = (__VU - 1) % MAX_VUS;
    const mine = data.pool.filter((_, index) => index % MAX_VUS === slot);
    vuState = {
      approvable: mine.map((id) => ({ id, readyAt: 0 })),
      head: 0,
      known: [...data.pool],
    };
  }
  return vuState;
}

function takeApprovable(state: VuState): string | undefined {
  const candidate = state.approvable[state.head];
  if (candidate === undefined || candidate.readyAt > Date.now()) return undefined;
  state.head += 1;
  return candidate.id;
}

// ---------------------------------------------------------------------------------------------
// The three requests

function createExpense(data: SetupData, state: VuState): void {
  const response = http.post(
    `${BASE_URL}/api/expenses`,
    expensePayload(),
    params(data.submitterToken, 'create', 'POST /api/expenses'),
  );
  const id = stringField(jsonBody(response), 'expense_id');
  const ok = check(response, {
    'create: 201 with expense_id': (r) => r.status === 201 && id !== undefined,
  });
  if (!ok || id === undefined) return;
  state.known.push(id);
  state.approvable.push({ id, readyAt: Date.now() + ROUTING_GRACE_MS });
}

function approveExpense(data: SetupData, id: string): void {
  const response = http.post(
    `${BASE_URL}/api/expenses/approve`,
    JSON.stringify({ expense_id: id, comments: 'k6 approve' }),
    params(data.approverToken, 'approve', 'POST /api/expenses/approve'),
  );
  check(response, { 'approve: 200': (r) => r.status === 200 });
}

function readStatus(data: SetupData, state: VuState): void {
  const id = state.known[Math.floor(Math.random() * state.known.length)];
  if (id === undefined) return;
  const response = http.get(
    `${BASE_URL}/api/expenses/${id}/status`,
    params(data.submitterToken, 'status', 'GET /api/expenses/{id}/status'),
  );
  check(response, { 'status: 200': (r) => r.status === 200 });
}

export default function mixed(data: SetupData): void {
  const state = stateFor(data);
  const draw = Math.random();
  if (draw < 0.5) {
    createExpense(data, state);
    return;
  }
  if (draw < 0.8) {
    const id = takeApprovable(state);
    if (id !== undefined) {
      approveExpense(data, id);
      return;
    }
    // An iteration cannot be skipped without distorting the arrival rate; read instead, and count it.
    approveStarved.add(1);
  }
  readStatus(data, state);
}
