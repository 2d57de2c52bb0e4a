// Generated from deploy/k6/countersign.ts by `npm run k6:build`: edit the .ts files, then rebuild.

// deploy/k6/countersign.ts
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
var REJECT_ONE_IN = 10;
var QUEUE_PAGE = 20;
var STEPS = ["login", "submit", "status", "queue", "approve", "reject"];
var CHECK_NAMES = {
  login: "login: 200 with access_token",
  submit: "submit: 201 with expense_id",
  status: "status: 200, pending",
  queue: "queue: 200 with items",
  approve: "approve: 200, approved",
  reject: "reject: 200, rejected"
};
function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch (e) {
    return void 0;
  }
}
function field(body, key) {
  return typeof body === "object" && body !== null ? body[key] : void 0;
}
function loginRequest(persona) {
  return {
    step: "login",
    method: "POST",
    path: "/api/auth/login",
    name: "POST /api/auth/login",
    body: JSON.stringify({ email: PERSONA_EMAILS[persona], password: DEMO_PASSWORD })
  };
}
function sessionFrom(reply) {
  if (reply.status !== 200) return void 0;
  const body = parseJson(reply.text);
  const token = field(body, "access_token");
  const expiresIn = field(body, "expires_in");
  if (typeof token !== "string") return void 0;
  return {
    token,
    expiresInS: typeof expiresIn === "number" ? expiresIn : Number.POSITIVE_INFINITY
  };
}
function sessionTooShort(persona, session, runS) {
  if (session.expiresInS >= runS + 60) return void 0;
  return `the ${persona}'s token lasts ${session.expiresInS} s, the run ${runS} s: raise the gateway's ACCESS_TOKEN_TTL_SECONDS or shorten the run (DURATION_SCALE)`;
}
function expenseBody(random) {
  const cents = 1e3 + Math.floor(random() * (199900 - 1e3 + 1));
  return JSON.stringify({
    policy_id: SMALL_EQUIPMENT_POLICY_ID,
    amount: cents / 100,
    description: "load test: small equipment"
  });
}
function isRoutingLagRefusal(reply) {
  if (reply.status === 404) return true;
  return reply.status === 409 && /not[ -]?(yet )?routed|no approval chain/i.test(reply.text);
}
function passes(step, reply) {
  const body = parseJson(reply.text);
  switch (step) {
    case "login":
      return sessionFrom(reply) !== void 0;
    case "submit":
      return reply.status === 201 && typeof field(body, "expense_id") === "string";
    case "status":
      return reply.status === 200 && field(body, "status") === "pending";
    case "queue":
      return reply.status === 200 && Array.isArray(field(body, "items"));
    case "approve":
      return reply.status === 200 && field(body, "expense_status") === "approved";
    case "reject":
      return reply.status === 200 && field(body, "expense_status") === "rejected";
  }
}
function checkReply(step, reply) {
  const decision = step === "approve" || step === "reject";
  return {
    check: CHECK_NAMES[step],
    passed: passes(step, reply),
    routingLag: decision && isRoutingLagRefusal(reply)
  };
}
var Journey = class {
  constructor(scenario2, random) {
    this.index = 0;
    /** A failed submit leaves nothing to read or decide: the journey ends there. */
    this.stopped = false;
    this.scenario = scenario2;
    this.random = random;
    const decision = random() < 1 / REJECT_ONE_IN ? "reject" : "approve";
    this.steps = ["submit", "status", "queue", decision];
  }
  /** The steps this journey takes, in order. */
  plan() {
    return this.steps;
  }
  /** The next request to send, or undefined when the journey is over. */
  next() {
    const step = this.steps[this.index];
    if (step === void 0 || this.stopped) return void 0;
    const pauseS = step === "queue" ? this.scenario.decisionDelayS : this.scenario.pauseS;
    return { pauseS, request: this.requestFor(step) };
  }
  /** Records the answer to the request next() returned and moves on. */
  record(reply) {
    const step = this.steps[this.index];
    if (step === void 0) throw new Error("the journey is over: nothing to record");
    this.index += 1;
    const outcome = checkReply(step, reply);
    if (step === "submit") {
      const id = field(parseJson(reply.text), "expense_id");
      this.expenseId = typeof id === "string" ? id : void 0;
      this.stopped = !outcome.passed || this.expenseId === void 0;
    }
    return outcome;
  }
  requestFor(step) {
    var _a;
    const id = (_a = this.expenseId) != null ? _a : "";
    switch (step) {
      case "submit":
        return {
          step,
          method: "POST",
          path: "/api/expenses",
          name: "POST /api/expenses",
          body: expenseBody(this.random),
          as: "employee"
        };
      case "status":
        return {
          step,
          method: "GET",
          path: `/api/expenses/${id}/status`,
          name: "GET /api/expenses/{id}/status",
          as: "employee"
        };
      case "queue":
        return {
          step,
          method: "GET",
          path: `/api/approvals/pending?limit=${QUEUE_PAGE}`,
          name: "GET /api/approvals/pending",
          as: "manager"
        };
      case "approve":
        return {
          step,
          method: "POST",
          path: "/api/expenses/approve",
          name: "POST /api/expenses/approve",
          body: JSON.stringify({ expense_id: id, comments: "load test: approved" }),
          as: "manager"
        };
      case "reject":
        return {
          step,
          method: "POST",
          path: "/api/expenses/reject",
          name: "POST /api/expenses/reject",
          body: JSON.stringify({ expense_id: id, reason: "load test: not a business expense" }),
          as: "manager"
        };
    }
  }
};

// deploy/k6/scenarios.ts
var SCENARIO_NAMES = ["light", "medium", "heavy", "spike", "soak", "stress"];
function targets(abort) {
  const abortable = [
    { metric: "http_req_duration", statistic: "p(99)", comparison: "<=", value: 100 },
    { metric: "http_req_failed", statistic: "rate", comparison: "==", value: 0 },
    { metric: "checks", statistic: "rate", comparison: "==", value: 1 }
  ];
  if (abort !== void 0) {
    for (const threshold of abortable) {
      threshold.abortOnFail = true;
      threshold.delayAbortEvalS = abort.delayAbortEvalS;
    }
  }
  return abortable.concat([
    { metric: "routing_lag_refusals", statistic: "count", comparison: "==", value: 0 }
  ]);
}
var DECISION_DELAY_S = 1;
function users(name, purpose, count, shape) {
  return {
    name,
    purpose,
    executor: {
      executor: "ramping-vus",
      startVus: 0,
      stages: [
        { durationS: shape.rampS, target: count },
        { durationS: shape.holdS, target: count },
        { durationS: shape.rampS, target: 0 }
      ]
    },
    pauseS: shape.pauseS,
    decisionDelayS: DECISION_DELAY_S,
    thresholds: targets()
  };
}
var scenarios = {
  light: users("light", "basic functionality, CI", 5, { rampS: 5, holdS: 30, pauseS: 0.2 }),
  medium: users("medium", "standard baseline", 10, { rampS: 5, holdS: 60, pauseS: 0.1 }),
  heavy: users("heavy", "sustained load, capacity planning", 25, {
    rampS: 10,
    holdS: 120,
    pauseS: 0.05
  }),
  spike: {
    name: "spike",
    purpose: "a sudden jump from 5 to 50 users and back, then recovery",
    executor: {
      executor: "ramping-vus",
      startVus: 5,
      stages: [
        { durationS: 10, target: 5 },
        { durationS: 2, target: 50 },
        { durationS: 30, target: 50 },
        { durationS: 2, target: 5 },
        { durationS: 15, target: 5 }
      ]
    },
    pauseS: 0.02,
    decisionDelayS: DECISION_DELAY_S,
    thresholds: targets()
  },
  // Ten minutes by default: the run must end before the access tokens from setup expire
  // (15 min unless ACCESS_TOKEN_TTL_SECONDS is raised); DURATION_SCALE stretches it.
  soak: users("soak", "moderate load held long: leaks, growth with history", 10, {
    rampS: 30,
    holdS: 600,
    pauseS: 0.1
  }),
  stress: {
    name: "stress",
    purpose: "raise the arrival rate until a target breaks, then stop (abortOnFail)",
    executor: {
      executor: "ramping-arrival-rate",
      startRate: 2,
      preAllocatedVus: 20,
      maxVus: 300,
      stages: [
        { durationS: 60, target: 20 },
        { durationS: 60, target: 50 },
        { durationS: 60, target: 100 },
        { durationS: 60, target: 200 },
        { durationS: 60, target: 400 }
      ]
    },
    pauseS: 0,
    decisionDelayS: DECISION_DELAY_S,
    thresholds: [
      ...targets({ delayAbortEvalS: 10 }),
      {
        metric: "dropped_iterations",
        statistic: "count",
        comparison: "==",
        value: 0,
        abortOnFail: true,
        delayAbortEvalS: 10
      }
    ]
  }
};
function isScenarioName(name) {
  return SCENARIO_NAMES.indexOf(name) >= 0;
}
function scaled(scenario2, factor) {
  if (!(factor > 0)) throw new Error(`duration scale must be a positive number, got ${factor}`);
  const stages = scenario2.executor.stages.map((stage) => ({
    durationS: Math.max(1, Math.round(stage.durationS * factor)),
    target: stage.target
  }));
  const executor = Object.assign({}, scenario2.executor, { stages });
  return Object.assign({}, scenario2, { executor });
}
function totalDurationS(scenario2) {
  return scenario2.executor.stages.reduce((sum, stage) => sum + stage.durationS, 0);
}
function thresholdExpression(threshold) {
  return `${threshold.statistic}${threshold.comparison}${threshold.value}`;
}

// deploy/k6/countersign.ts
var BASE_URL = (__ENV.BASE_URL || "http://127.0.0.1:4000").replace(/\/+$/, "");
function chosenScenario() {
  const name = __ENV.SCENARIO || "light";
  if (!isScenarioName(name)) {
    throw new Error(`SCENARIO must be one of ${SCENARIO_NAMES.join(", ")}, got "${name}"`);
  }
  const scale = __ENV.DURATION_SCALE ? Number(__ENV.DURATION_SCALE) : 1;
  return scaled(scenarios[name], scale);
}
var scenario = chosenScenario();
function k6Stages(stages) {
  return stages.map((stage) => ({ duration: `${stage.durationS}s`, target: stage.target }));
}
function k6Executor(executor) {
  if (executor.executor === "ramping-vus") {
    return {
      executor: "ramping-vus",
      startVUs: executor.startVus,
      stages: k6Stages(executor.stages)
    };
  }
  return {
    executor: "ramping-arrival-rate",
    startRate: executor.startRate,
    timeUnit: "1s",
    preAllocatedVUs: executor.preAllocatedVus,
    maxVUs: executor.maxVus,
    stages: k6Stages(executor.stages)
  };
}
function k6Threshold(threshold) {
  var _a;
  const expression = thresholdExpression(threshold);
  if (!threshold.abortOnFail) return expression;
  return {
    threshold: expression,
    abortOnFail: true,
    delayAbortEval: `${(_a = threshold.delayAbortEvalS) != null ? _a : 0}s`
  };
}
function k6Thresholds() {
  var _a;
  const result = {};
  for (const threshold of scenario.thresholds) {
    const list = (_a = result[threshold.metric]) != null ? _a : [];
    list.push(k6Threshold(threshold));
    result[threshold.metric] = list;
  }
  for (const step of STEPS) result[`http_req_duration{step:${step}}`] = ["max>=0"];
  return result;
}
var options = {
  scenarios: { [scenario.name]: k6Executor(scenario.executor) },
  thresholds: k6Thresholds(),
  summaryTrendStats: ["avg", "med", "p(95)", "p(99)", "max"]
};
var routingLagRefusals = new Counter("routing_lag_refusals");
function bodyText(response) {
  return typeof response.body === "string" ? response.body : "";
}
function send(request, sessions) {
  var _a;
  const headers = { Accept: "application/json" };
  if (request.body !== void 0) headers["Content-Type"] = "application/json";
  const token = request.as === void 0 ? void 0 : sessions[request.as];
  if (token !== void 0) headers.Authorization = `Bearer ${token}`;
  const response = http.request(
    request.method,
    `${BASE_URL}${request.path}`,
    (_a = request.body) != null ? _a : null,
    {
      headers,
      // A fixed name keeps per-id URLs from each becoming their own time series.
      tags: { name: request.name, step: request.step }
    }
  );
  const reply = { status: response.status, text: bodyText(response) };
  const outcome = checkReply(request.step, reply);
  check(response, { [outcome.check]: () => outcome.passed });
  if (outcome.routingLag) routingLagRefusals.add(1);
  return reply;
}
function setup() {
  const sessions = {};
  const runS = totalDurationS(scenario);
  for (const persona of PERSONAS) {
    const reply = send(loginRequest(persona), {});
    const session = sessionFrom(reply);
    if (session === void 0) return fail(`login as ${persona} failed: HTTP ${reply.status}`);
    const tooShort = sessionTooShort(persona, session, runS);
    if (tooShort !== void 0) return fail(tooShort);
    sessions[persona] = session.token;
  }
  return sessions;
}
function journey(sessions) {
  const steps = new Journey(scenario, Math.random);
  for (let planned = steps.next(); planned !== void 0; planned = steps.next()) {
    if (planned.pauseS > 0) sleep(planned.pauseS);
    steps.record(send(planned.request, sessions));
  }
}
export {
  journey as default,
  options,
  setup
};
