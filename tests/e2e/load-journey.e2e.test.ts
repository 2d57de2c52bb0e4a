/**
 * The user journey the k6 scenarios encode (deploy/k6/journey.ts), run by the bench's driver
 * against a real cluster: every check must pass, every answer must match the API contract,
 * and the manager must find each submission in his queue before deciding it. The k6 script
 * builds its requests from the same module, so this proves its journey against the real API.
 */
import {
  CreateExpenseResponse,
  DecisionResponse,
  ExpenseStatusDocument,
  LoginResponse,
  PendingApprovalPage,
} from '@countersign/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { CHECK_NAMES, type StepName } from '../../deploy/k6/journey.js';
import { scenarios } from '../../deploy/k6/scenarios.js';
import { Api, type ApiResponse } from '../../scripts/bench/api.js';
import { runJourney, signIn } from '../../scripts/bench/journey-driver.js';
import { ScenarioMetrics } from '../../scripts/bench/scenario-metrics.js';
import { gatewayUrl, TestCluster } from '../support/test-cluster.js';

const JOURNEYS = 6;

/** Keeps every answer, so the test can hold each one against its contract. */
class RecordingApi extends Api {
  readonly answers: { method: string; path: string; response: ApiResponse }[] = [];

  override async call(
    method: 'GET' | 'POST',
    apiPath: string,
    token?: string,
    body?: string,
  ): Promise<ApiResponse> {
    const response = await super.call(method, apiPath, token, body);
    this.answers.push({ method, path: apiPath, response });
    return response;
  }
}

/** Reject, approve, reject, approve…: the decision draw first, then the amount's. */
function alternatingDecisions(): () => number {
  const draws = [0.05, 0.3, 0.5, 0.7];
  let next = 0;
  return () => {
    const draw = draws[next % draws.length] ?? 0.5;
    next += 1;
    return draw;
  };
}

const contractOf = (method: string, path: string): z.ZodType => {
  if (path === '/api/auth/login') return LoginResponse;
  if (method === 'POST' && path === '/api/expenses') return CreateExpenseResponse;
  if (path.endsWith('/status')) return ExpenseStatusDocument;
  if (path.startsWith('/api/approvals/pending')) return PendingApprovalPage;
  return DecisionResponse;
};

let cluster: TestCluster;
let api: RecordingApi;
const metrics = new ScenarioMetrics();

beforeAll(async () => {
  cluster = await TestCluster.start();
  await cluster.routingCopyCaughtUp();
});
// A hook of its own, with its own timeout: the journeys pause as users do (about 2 s each).
beforeAll(async () => {
  const base = new URL(gatewayUrl);
  api = new RecordingApi(base.origin, '', 4);
  const sessions = await signIn(api, metrics, 60);
  const random = alternatingDecisions();
  for (let journey = 0; journey < JOURNEYS; journey += 1) {
    await runJourney(api, sessions, scenarios.light, metrics, random);
  }
});
afterAll(async () => {
  await api?.close();
  await cluster?.stop();
});

describe('the load scenarios’ user journey, against a real cluster', () => {
  it('passes every check, for each step: login, submit, status, queue, approve, reject', () => {
    const steps: StepName[] = ['login', 'submit', 'status', 'queue', 'approve', 'reject'];
    expect(Object.fromEntries(metrics.checks)).toEqual(
      Object.fromEntries(
        steps.map((step) => {
          const expected = { login: 2, approve: JOURNEYS / 2, reject: JOURNEYS / 2 }[
            step as string
          ];
          return [CHECK_NAMES[step], { passed: expected ?? JOURNEYS, failed: 0 }];
        }),
      ),
    );
    expect(metrics.iterations).toBe(JOURNEYS);
    expect(metrics.routingLagRefusals).toBe(0);
    expect(metrics.statistics().http_req_failed?.rate).toBe(0);
  });

  it('gets answers that match the API contract', () => {
    expect(api.answers).toHaveLength(2 + JOURNEYS * 4);
    for (const { method, path, response } of api.answers) {
      const parsed = contractOf(method, path).safeParse(JSON.parse(response.text));
      expect(parsed.success, `${method} ${path}: ${response.text.slice(0, 300)}`).toBe(true);
    }
  });

  it('shows the manager each submission in his queue before he decides it', () => {
    const submitted = api.answers
      .filter((answer) => answer.method === 'POST' && answer.path === '/api/expenses')
      .map((answer) => String(JSON.parse(answer.response.text).expense_id));
    const queues = api.answers
      .filter((answer) => answer.path.startsWith('/api/approvals/pending'))
      .map((answer) => PendingApprovalPage.parse(JSON.parse(answer.response.text)));
    expect(queues).toHaveLength(JOURNEYS);
    queues.forEach((queue, index) => {
      expect(queue.items.map((item) => item.expense_id)).toContain(submitted[index]);
    });
  });
});
