/**
 * Seed 001's load scenarios against a Countersign cluster, for k6. Any k6 release runs the
 * JavaScript build beside this file (`npm run k6:build` makes it; a test checks it is current):
 *
 *   k6 run -e SCENARIO=heavy -e BASE_URL=https://countersign.example deploy/k6/countersign.js
 *
 * SCENARIO: light (5 users), medium (10), heavy (25), spike (5 → 50 → 5), soak (10 users for
 * 10 min) or stress (arrival rate raised until a target breaks; the run then stops). Their
 * shapes, thresholds and the user journey live in scenarios.ts and journey.ts, which
 * `npm run bench:scenario` runs too, so the two drivers measure the same thing.
 *
 * Env: BASE_URL (http://127.0.0.1:4000), SCENARIO (light), DURATION_SCALE (1; 0.25 runs every
 * stage a quarter as long).
 */
import { check, fail, sleep } from 'k6';
import http, { type RefinedResponse, type ResponseType } from 'k6/http';
import { Counter } from 'k6/metrics';
import type { Scenario as K6Scenario, Options } from 'k6/options';
import {
  type ApiReply,
  type ApiRequest,
  checkReply,
  Journey,
  loginRequest,
  PERSONAS,
  type Persona,
  STEPS,
  sessionFrom,
  sessionTooShort,
} from './journey.js';
import {
  type Executor,
  isScenarioName,
  SCENARIO_NAMES,
  type Scenario,
  type Stage,
  scaled,
  scenarios,
  type Threshold,
  thresholdExpression,
  totalDurationS,
} from './scenarios.js';

const BASE_URL = (__ENV.BASE_URL || 'http://127.0.0.1:4000').replace(/\/+$/, '');

function chosenScenario(): Scenario {
  const name = __ENV.SCENARIO || 'light';
  if (!isScenarioName(name)) {
    throw new Error(`SCENARIO must be one of ${SCENARIO_NAMES.join(', ')}, got "${name}"`);
  }
  const scale = __ENV.DURATION_SCALE ? Number(__ENV.DURATION_SCALE) : 1;
  return scaled(scenarios[name], scale);
}

const scenario = chosenScenario();

function k6Stages(stages: readonly Stage[]): { duration: string; target: number }[] {
  return stages.map((stage) => ({ duration: `${stage.durationS}s`, target: stage.target }));
}

function k6Executor(executor: Executor): K6Scenario {
  if (executor.executor === 'ramping-vus') {
    return {
      executor: 'ramping-vus',
      startVUs: executor.startVus,
      stages: k6Stages(executor.stages),
    };
  }
  return {
    executor: 'ramping-arrival-rate',
    startRate: executor.startRate,
    timeUnit: '1s',
    preAllocatedVUs: executor.preAllocatedVus,
    maxVUs: executor.maxVus,
    stages: k6Stages(executor.stages),
  };
}

type K6Threshold = string | { threshold: string; abortOnFail: boolean; delayAbortEval?: string };

function k6Threshold(threshold: Threshold): K6Threshold {
  const expression = thresholdExpression(threshold);
  if (!threshold.abortOnFail) return expression;
  return {
    threshold: expression,
    abortOnFail: true,
    delayAbortEval: `${threshold.delayAbortEvalS ?? 0}s`,
  };
}

/**
 * The scenario's thresholds, plus one that always passes per step: it makes the summary show
 * each step's own percentiles (k6's documented sub-metric workaround).
 */
function k6Thresholds(): Record<string, K6Threshold[]> {
  const result: Record<string, K6Threshold[]> = {};
  for (const threshold of scenario.thresholds) {
    const list = result[threshold.metric] ?? [];
    list.push(k6Threshold(threshold));
    result[threshold.metric] = list;
  }
  for (const step of STEPS) result[`http_req_duration{step:${step}}`] = ['max>=0'];
  return result;
}

export const options: Options = {
  scenarios: { [scenario.name]: k6Executor(scenario.executor) },
  thresholds: k6Thresholds(),
  summaryTrendStats: ['avg', 'med', 'p(95)', 'p(99)', 'max'],
};

/** Approves and rejects refused because the approval service had not stored the chain yet. */
const routingLagRefusals = new Counter('routing_lag_refusals');

type Sessions = Record<Persona, string>;

function bodyText(response: RefinedResponse<ResponseType | undefined>): string {
  return typeof response.body === 'string' ? response.body : '';
}

function send(request: ApiRequest, sessions: Partial<Sessions>): ApiReply {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (request.body !== undefined) headers['Content-Type'] = 'application/json';
  const token = request.as === undefined ? undefined : sessions[request.as];
  if (token !== undefined) headers.Authorization = `Bearer ${token}`;
  const response = http.request(
    request.method,
    `${BASE_URL}${request.path}`,
    request.body ?? null,
    {
      headers,
      // A fixed name keeps per-id URLs from each becoming their own time series.
      tags: { name: request.name, step: request.step },
    },
  );
  const reply = { status: response.status, text: bodyText(response) };
  const outcome = checkReply(request.step, reply);
  check(response, { [outcome.check]: () => outcome.passed });
  if (outcome.routingLag) routingLagRefusals.add(1);
  return reply;
}

/** Signs each user in once; every VU works with these sessions. */
export function setup(): Sessions {
  const sessions: Partial<Sessions> = {};
  const runS = totalDurationS(scenario);
  for (const persona of PERSONAS) {
    const reply = send(loginRequest(persona), {});
    const session = sessionFrom(reply);
    if (session === undefined) return fail(`login as ${persona} failed: HTTP ${reply.status}`);
    const tooShort = sessionTooShort(persona, session, runS);
    if (tooShort !== undefined) return fail(tooShort);
    sessions[persona] = session.token;
  }
  return sessions as Sessions;
}

export default function journey(sessions: Sessions): void {
  const steps = new Journey(scenario, Math.random);
  for (let planned = steps.next(); planned !== undefined; planned = steps.next()) {
    if (planned.pauseS > 0) sleep(planned.pauseS);
    steps.record(send(planned.request, sessions));
  }
}
