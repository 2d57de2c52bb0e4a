/**
 * The shared user journey (deploy/k6/journey.ts) driven from Node over the bench's undici
 * pool: the same requests the k6 script sends, judged by the same checks.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ApiReply,
  type ApiRequest,
  checkReply,
  Journey,
  loginRequest,
  PERSONAS,
  type Persona,
  sessionFrom,
  sessionTooShort,
} from '../../deploy/k6/journey.js';
import type { Scenario } from '../../deploy/k6/scenarios.js';
import type { Api } from './api.js';
import { BenchAbort } from './config.js';
import type { ScenarioMetrics } from './scenario-metrics.js';

export type Sessions = Record<Persona, string>;

async function send(
  api: Api,
  request: ApiRequest,
  sessions: Partial<Sessions>,
  metrics: ScenarioMetrics,
): Promise<ApiReply> {
  const token = request.as === undefined ? undefined : sessions[request.as];
  const response = await api.call(request.method, request.path, token, request.body);
  metrics.record(request.step, response.status, response.ms, checkReply(request.step, response));
  return response;
}

/** Signs each user in once, as the k6 script's setup does; throws if one cannot. */
export async function signIn(api: Api, metrics: ScenarioMetrics, runS: number): Promise<Sessions> {
  const sessions: Partial<Sessions> = {};
  for (const persona of PERSONAS) {
    const reply = await send(api, loginRequest(persona), {}, metrics);
    const session = sessionFrom(reply);
    if (session === undefined) {
      throw new BenchAbort(
        `login as ${persona} failed: HTTP ${reply.status} ${reply.text.slice(0, 200)}`,
      );
    }
    const tooShort = sessionTooShort(persona, session, runS);
    if (tooShort !== undefined) throw new BenchAbort(tooShort);
    sessions[persona] = session.token;
  }
  return sessions as Sessions;
}

/** One journey: submit, read the status, open the queue, approve or reject. */
export async function runJourney(
  api: Api,
  sessions: Sessions,
  scenario: Pick<Scenario, 'pauseS' | 'decisionDelayS'>,
  metrics: ScenarioMetrics,
  random: () => number = Math.random,
): Promise<void> {
  const journey = new Journey(scenario, random);
  for (let planned = journey.next(); planned !== undefined; planned = journey.next()) {
    if (planned.pauseS > 0) await sleep(planned.pauseS * 1_000);
    journey.record(await send(api, planned.request, sessions, metrics));
  }
  metrics.iterations += 1;
}
