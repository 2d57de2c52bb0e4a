// Generated from deploy/k6/mixed.ts by `npm run k6:build`: edit the .ts files, then rebuild.

// deploy/k6/mixed.ts
import { check, fail, sleep } from "k6";
import http from "k6/http";
import { Counter } from "k6/metrics";

// deploy/k6/journey.ts
var DEMO_PASSWORD = "countersign-demo";
var PERSONA_EMAILS = {
  employee: "grace@techcorp.example",
  manager: "frank@techcorp.example"
};
var PERSONAS = Object.keys(PERSONA_EMAILS);
var SMALL_EQUIPMENT_POLICY_ID = "0197a000-0000-7000-8000-000000000201";
function isRoutingLagRefusal(reply) {
  if (reply.status === 404) return true;
  return reply.status === 409 && /not[ -]?(yet )?routed|no approval chain/i.test(reply.text);
}

// deploy/k6/mixed.ts
var _a;
var BASE_URL = ((_a = __ENV.BASE_URL) != null ? _a : "http://127.0.0.1:4000").replace(/\/+$/, "");
var _a2;
var SCENARIOS = ((_a2 = __ENV.SCENARIOS) != null ? _a2 : "closed,open").split(",").map((name) => name.trim());
var VUS = intEnv("VUS", 64);
var CLOSED_DURATION_S = intEnv("CLOSED_DURATION_S", 20);
var RATE = intEnv("RATE", 400);
var OPEN_DURATION_S = intEnv("OPEN_DURATION_S", 60);
var PRE_VUS = intEnv("PRE_VUS", 50);
var MAX_VUS = intEnv("MAX_VUS", 200);
var POOL = intEnv("POOL", 500);
var APPROVE_AFTER_MS = intEnv("APPROVE_AFTER_MS", 1e3);
var GAP_S = 10;
var SUBMITTER_EMAIL = PERSONA_EMAILS.employee;
var APPROVER_EMAIL = PERSONA_EMAILS.manager;
var POOL_ROUTE_WAIT_S = 60;
var ENDPOINTS = ["create", "approve", "status"];
function intEnv(name, fallback) {
  const raw = __ENV[name];
  if (raw === void 0 || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  }
  return value;
}
function scenarios() {
  const result = {};
  const closed = SCENARIOS.includes("closed");
  if (closed) {
    result.closed = {
      executor: "constant-vus",
      vus: VUS,
      duration: `${CLOSED_DURATION_S}s`
    };
  }
  if (SCENARIOS.includes("open")) {
    result.open = {
      executor: "constant-arrival-rate",
      rate: RATE,
      timeUnit: "1s",
      duration: `${OPEN_DURATION_S}s`,
      preAllocatedVUs: PRE_VUS,
      maxVUs: MAX_VUS,
      startTime: closed ? `${CLOSED_DURATION_S + GAP_S}s` : "0s"
    };
  }
  if (Object.keys(result).length === 0) {
    throw new Error(`SCENARIOS must name closed and/or open, got "${SCENARIOS.join(",")}"`);
  }
  return result;
}
function thresholds() {
  const result = {
    "http_req_duration{load:yes}": ["p(99)<100"],
    "http_req_failed{load:yes}": ["rate==0"],
    dropped_iterations: ["count==0"],
    routing_lag_refusals: ["count==0"]
  };
  for (const endpoint of ENDPOINTS) {
    result[`http_req_duration{endpoint:${endpoint}}`] = ["max>=0"];
    result[`http_req_failed{endpoint:${endpoint}}`] = ["rate>=0"];
  }
  return result;
}
var options = {
  scenarios: scenarios(),
  thresholds: thresholds(),
  summaryTrendStats: ["avg", "med", "p(95)", "p(99)", "max"],
  // Pool creation is sequential; leave room for a slow link.
  setupTimeout: "300s"
};
var routingLagRefusals = new Counter("routing_lag_refusals");
var approveStarved = new Counter("approve_starved");
function isObject(value) {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
function jsonBody(response) {
  try {
    return response.json();
  } catch (e) {
    return void 0;
  }
}
function stringField(value, key) {
  const field = isObject(value) ? value[key] : void 0;
  return typeof field === "string" ? field : void 0;
}
function params(token, endpoint, name) {
  const headers = {
    "Content-Type": "application/json",
    Accept: "application/json"
  };
  if (token !== void 0) headers.Authorization = `Bearer ${token}`;
  const tags = { endpoint, name };
  if (endpoint !== "setup") tags.load = "yes";
  return { headers, tags };
}
function expensePayload() {
  const cents = 1e3 + Math.floor(Math.random() * (199900 - 1e3 + 1));
  return JSON.stringify({
    policy_id: SMALL_EQUIPMENT_POLICY_ID,
    amount: cents / 100,
    description: "k6: small equipment"
  });
}
function isRoutingLagRefusal2(response) {
  return isRoutingLagRefusal({
    status: response.status,
    text: typeof response.body === "string" ? response.body : ""
  });
}
function approve(token, id, endpoint) {
  return http.post(
    `${BASE_URL}/api/expenses/approve`,
    JSON.stringify({ expense_id: id, comments: "k6 approve" }),
    params(token, endpoint, "POST /api/expenses/approve")
  );
}
function login(email) {
  const response = http.post(
    `${BASE_URL}/api/auth/login`,
    JSON.stringify({ email, password: DEMO_PASSWORD }),
    params(void 0, "setup", "POST /api/auth/login")
  );
  const body = jsonBody(response);
  const token = stringField(body, "access_token");
  if (response.status !== 200 || token === void 0) {
    fail(`login as ${email} failed: HTTP ${response.status}`);
  }
  const expiresIn = isObject(body) && typeof body.expires_in === "number" ? body.expires_in : Number.POSITIVE_INFINITY;
  return { token, expiresIn };
}
function createPool(token) {
  const ids = [];
  for (let i = 0; i < POOL; i += 1) {
    const response = http.post(
      `${BASE_URL}/api/expenses`,
      expensePayload(),
      params(token, "setup", "POST /api/expenses")
    );
    const id = stringField(jsonBody(response), "expense_id");
    if (response.status === 201 && id !== void 0) ids.push(id);
  }
  if (ids.length === 0) fail("setup could not create any expense");
  return ids;
}
function waitPoolRouted(token, pool) {
  const last = pool[pool.length - 1];
  if (last === void 0) return pool;
  for (let waited = 0; waited < POOL_ROUTE_WAIT_S * 4; waited += 1) {
    if (!isRoutingLagRefusal2(approve(token, last, "setup"))) return pool.slice(0, -1);
    sleep(0.25);
  }
  return fail(`the pool's last expense was not routed within ${POOL_ROUTE_WAIT_S} s`);
}
function setup() {
  const submitter = login(SUBMITTER_EMAIL);
  const approver = login(APPROVER_EMAIL);
  const runS = CLOSED_DURATION_S + GAP_S + OPEN_DURATION_S;
  if (Math.min(submitter.expiresIn, approver.expiresIn) < runS + 60) {
    fail(`tokens expire before the ${runS}s run ends; shorten the scenarios`);
  }
  const pool = waitPoolRouted(approver.token, createPool(submitter.token));
  return { submitterToken: submitter.token, approverToken: approver.token, pool };
}
var vuState;
function stateFor(data) {
  if (vuState === void 0) {
    const owners = VUS + MAX_VUS;
    const slot = (__VU - 1) % owners;
    const mine = data.pool.filter((_, index) => index % owners === slot);
    vuState = {
      approvable: mine.map((id) => ({ id, readyAt: 0 })),
      head: 0,
      known: [...data.pool]
    };
  }
  return vuState;
}
function takeApprovable(state) {
  const candidate = state.approvable[state.head];
  if (candidate === void 0 || candidate.readyAt > Date.now()) return void 0;
  state.head += 1;
  return candidate.id;
}
function createExpense(data, state) {
  const response = http.post(
    `${BASE_URL}/api/expenses`,
    expensePayload(),
    params(data.submitterToken, "create", "POST /api/expenses")
  );
  const id = stringField(jsonBody(response), "expense_id");
  const ok = check(response, {
    "create: 201 with expense_id": (r) => r.status === 201 && id !== void 0
  });
  if (!ok || id === void 0) return;
  state.known.push(id);
  state.approvable.push({ id, readyAt: Date.now() + APPROVE_AFTER_MS });
}
function approveExpense(data, id) {
  const response = approve(data.approverToken, id, "approve");
  if (isRoutingLagRefusal2(response)) routingLagRefusals.add(1);
  check(response, { "approve: 200": (r) => r.status === 200 });
}
function readStatus(data, state) {
  const id = state.known[Math.floor(Math.random() * state.known.length)];
  if (id === void 0) return;
  const response = http.get(
    `${BASE_URL}/api/expenses/${id}/status`,
    params(data.submitterToken, "status", "GET /api/expenses/{id}/status")
  );
  check(response, { "status: 200": (r) => r.status === 200 });
}
function mixed(data) {
  const state = stateFor(data);
  const draw = Math.random();
  if (draw < 0.5) {
    createExpense(data, state);
    return;
  }
  if (draw < 0.8) {
    const id = takeApprovable(state);
    if (id !== void 0) {
      approveExpense(data, id);
      return;
    }
    approveStarved.add(1);
  }
  readStatus(data, state);
}
export {
  mixed as default,
  options,
  setup
};
