/**
 * Seed 001's mixed load against a Countersign cluster, for k6. Any k6 release runs the
 * JavaScript build beside this file (`npm run k6:build` makes it; a test checks it is current):
 *
 *   k6 run -e BASE_URL=https://countersign.example deploy/k6/mixed.js
 *
 * 50% create (grace, Small Equipment), 30% approve (frank, grace's manager), 20% status
 * (grace), in two scenarios, one after the other:
 *   closed  64 VUs back to back for 20 s (what `npm run bench` calls closed loop);
 *   open    a constant arrival rate of 400 iterations/s for 60 s: a slow server does not slow
 *           the offered load down, so it cannot hide its own tail; an arrival that finds every
 *           one of MAX_VUS busy is dropped (k6's dropped_iterations).
 * The thresholds are issue 12's targets: p99 < 100 ms, no failed request, nothing dropped,
 * and no approval refused because routing lagged behind the submissions.
 *
 * Env: BASE_URL (http://127.0.0.1:4000), SCENARIOS (closed,open), VUS (64),
 * CLOSED_DURATION_S (20), RATE iterations/s (400), OPEN_DURATION_S (60), PRE_VUS (50),
 * MAX_VUS (200), POOL pre-created expenses to approve (500), APPROVE_AFTER_MS (1000).
 */
import { check, fail, sleep } from 'k6';
import type { RefinedResponse, ResponseType } from 'k6/http';
import http from 'k6/http';
import { Counter } from 'k6/metrics';
import type { Options, Scenario } from 'k6/options';
import {
  DEMO_PASSWORD,
  isRoutingLagRefusal as isRoutingLagReply,
  PERSONA_EMAILS,
  SMALL_EQUIPMENT_POLICY_ID,
} from './journey.js';

const BASE_URL = (__ENV.BASE_URL ?? 'http://127.0.0.1:4000').replace(/\/+$/, '');
const SCENARIOS = (__ENV.SCENARIOS ?? 'closed,open').split(',').map((name) => name.trim());
const VUS = intEnv('VUS', 64);
const CLOSED_DURATION_S = intEnv('CLOSED_DURATION_S', 20);
const RATE = intEnv('RATE', 400);
const OPEN_DURATION_S = intEnv('OPEN_DURATION_S', 60);
const PRE_VUS = intEnv('PRE_VUS', 50);
const MAX_VUS = intEnv('MAX_VUS', 200);
const POOL = intEnv('POOL', 500);
const APPROVE_AFTER_MS = intEnv('APPROVE_AFTER_MS', 1000);
/** Lets the routing backlog of the closed scenario drain before the open one starts. */
const GAP_S = 10;

const SUBMITTER_EMAIL = PERSONA_EMAILS.employee;
const APPROVER_EMAIL = PERSONA_EMAILS.manager;
const POOL_ROUTE_WAIT_S = 60;

const ENDPOINTS = ['create', 'approve', 'status'] as const;

function intEnv(name: string, fallback: number): number {
  const raw = __ENV[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  }
  return value;
}

function scenarios(): Record<string, Scenario> {
  const result: Record<string, Scenario> = {};
  const closed = SCENARIOS.includes('closed');
  if (closed) {
    result.closed = {
      executor: 'constant-vus',
      vus: VUS,
      duration: `${CLOSED_DURATION_S}s`,
    };
  }
  if (SCENARIOS.includes('open')) {
    result.open = {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: `${OPEN_DURATION_S}s`,
      preAllocatedVUs: PRE_VUS,
      maxVUs: MAX_VUS,
      startTime: closed ? `${CLOSED_DURATION_S + GAP_S}s` : '0s',
    };
  }
  if (Object.keys(result).length === 0) {
    throw new Error(`SCENARIOS must name closed and/or open, got "${SCENARIOS.join(',')}"`);
  }
  return result;
}

/**
 * Only the load's requests (tagged load:yes) count toward the targets, not setup's logins and
 * pool. The per-endpoint entries always pass: they make the end-of-test summary show each
 * endpoint's own percentiles and failure rate (k6's documented sub-metric workaround).
 */
function thresholds(): Record<string, string[]> {
  const result: Record<string, string[]> = {
    'http_req_duration{load:yes}': ['p(99)<100'],
    'http_req_failed{load:yes}': ['rate==0'],
    dropped_iterations: ['count==0'],
    routing_lag_refusals: ['count==0'],
  };
  for (const endpoint of ENDPOINTS) {
    result[`http_req_duration{endpoint:${endpoint}}`] = ['max>=0'];
    result[`http_req_failed{endpoint:${endpoint}}`] = ['rate>=0'];
  }
  return result;
}

export const options: Options = {
  scenarios: scenarios(),
  thresholds: thresholds(),
  summaryTrendStats: ['avg', 'med', 'p(95)', 'p(99)', 'max'],
  // Pool creation is sequential; leave room for a slow link.
  setupTimeout: '300s',
};

/** Approves answered 404 (or 409 "not routed") because the chain was not stored yet. */
const routingLagRefusals = new Counter('routing_lag_refusals');
/** Approve draws that found no expense of this VU ready and were sent as status reads. */
const approveStarved = new Counter('approve_starved');

interface SetupData {
  submitterToken: string;
  approverToken: string;
  /** Grace's pre-created expenses, routed to frank. */
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
  const tags: Record<string, string> = { endpoint, name };
  if (endpoint !== 'setup') tags.load = 'yes';
  return { headers, tags };
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

function isRoutingLagRefusal(response: Response): boolean {
  return isRoutingLagReply({
    status: response.status,
    text: typeof response.body === 'string' ? response.body : '',
  });
}

function approve(token: string, id: string, endpoint: string): Response {
  return http.post(
    `${BASE_URL}/api/expenses/approve`,
    JSON.stringify({ expense_id: id, comments: 'k6 approve' }),
    params(token, endpoint, 'POST /api/expenses/approve'),
  );
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

/**
 * Waits until the pool's last expense is routed, approving it as the probe, so the wait does
 * not grow with frank's queue (which may hold 100,000 items on a pre-filled database).
 */
function waitPoolRouted(token: string, pool: string[]): string[] {
  const last = pool[pool.length - 1];
  if (last === undefined) return pool;
  for (let waited = 0; waited < POOL_ROUTE_WAIT_S * 4; waited += 1) {
    if (!isRoutingLagRefusal(approve(token, last, 'setup'))) return pool.slice(0, -1);
    sleep(0.25);
  }
  return fail(`the pool's last expense was not routed within ${POOL_ROUTE_WAIT_S} s`);
}

export function setup(): SetupData {
  const submitter = login(SUBMITTER_EMAIL);
  const approver = login(APPROVER_EMAIL);
  const runS = CLOSED_DURATION_S + GAP_S + OPEN_DURATION_S;
  // No re-login during the run: a token that expires mid-test would turn the tail into 401s.
  if (Math.min(submitter.expiresIn, approver.expiresIn) < runS + 60) {
    fail(`tokens expire before the ${runS}s run ends; shorten the scenarios`);
  }
  const pool = waitPoolRouted(approver.token, createPool(submitter.token));
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
    // VUs are numbered 1..(VUS + MAX_VUS) across both scenarios; each pool id has one owner.
    const owners = VUS + MAX_VUS;
    const slot = (__VU - 1) % owners;
    const mine = data.pool.filter((_, index) => index % owners === slot);
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
  state.approvable.push({ id, readyAt: Date.now() + APPROVE_AFTER_MS });
}

function approveExpense(data: SetupData, id: string): void {
  const response = approve(data.approverToken, id, 'approve');
  if (isRoutingLagRefusal(response)) routingLagRefusals.add(1);
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
