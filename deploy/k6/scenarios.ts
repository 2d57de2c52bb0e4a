/**
 * The load scenarios, declared once for both load drivers: the k6 script
 * (deploy/k6/countersign.ts, bundled by esbuild) and `npm run bench:scenario`
 * (scripts/bench/scenario.ts, run by Node). Plain data and pure functions only: no k6 and
 * no Node module, so either runtime can import it and the two cannot drift apart.
 *
 * Shapes follow seed 001's load tests (light 5 users for 30 s, medium 10 for 60 s, heavy 25
 * for 120 s, spike 50 for 30 s, each user pausing 0.2/0.1/0.05/0.02 s between requests,
 * ramped up over 5 s), plus a soak and a stress-to-break. The thresholds are not the seed's
 * (success > 95%, p95 < 1 s) but issue 12's targets: p99 ≤ 100 ms, no failed request, and no
 * approval refused because routing lagged behind the submission.
 */

export const SCENARIO_NAMES = ['light', 'medium', 'heavy', 'spike', 'soak', 'stress'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** Linear ramp to `target` (VUs, or iterations per second) over `durationS`, as k6's stages. */
export interface Stage {
  durationS: number;
  target: number;
}

/** k6's ramping-vus: each VU runs journeys back to back (a closed loop). */
export interface RampingVus {
  executor: 'ramping-vus';
  startVus: number;
  stages: Stage[];
}

/**
 * k6's ramping-arrival-rate: journeys start on a schedule whatever the answers (an open
 * loop); an arrival that finds all `maxVus` busy is dropped (k6's dropped_iterations).
 */
export interface RampingArrivalRate {
  executor: 'ramping-arrival-rate';
  /** Journeys per second at the start. */
  startRate: number;
  preAllocatedVus: number;
  maxVus: number;
  stages: Stage[];
}

export type Executor = RampingVus | RampingArrivalRate;

/** The metrics a threshold can name; each driver measures all of them. */
export type MetricName =
  | 'http_req_duration'
  | 'http_req_failed'
  | 'checks'
  | 'routing_lag_refusals'
  | 'dropped_iterations';

/** The statistic of a metric a threshold compares, in k6's own words. */
export type Statistic = 'p(99)' | 'p(95)' | 'rate' | 'count';

export interface Threshold {
  metric: MetricName;
  statistic: Statistic;
  comparison: '<=' | '==';
  value: number;
  /** Stop the run when this one fails (k6's abortOnFail): the stress scenario's break point. */
  abortOnFail?: boolean;
  /** With abortOnFail: let this much of the run pass before judging. */
  delayAbortEvalS?: number;
}

export interface Scenario {
  name: ScenarioName;
  purpose: string;
  executor: Executor;
  /** A user's pause between two requests of a journey (seed 001's --delay). */
  pauseS: number;
  /**
   * How long after the submission the manager opens the queue: routing takes a moment, and
   * a person does not approve within milliseconds of the submission either.
   */
  decisionDelayS: number;
  thresholds: Threshold[];
}

/**
 * Issue 12's targets, the same for every scenario; with `abort`, a failing latency, error or
 * check target stops the run. (No object spread here or below: esbuild would lower it to
 * helpers using ES2017 builtins that the oldest k6 runtimes lack.)
 */
function targets(abort?: { delayAbortEvalS: number }): Threshold[] {
  const abortable: Threshold[] = [
    { metric: 'http_req_duration', statistic: 'p(99)', comparison: '<=', value: 100 },
    { metric: 'http_req_failed', statistic: 'rate', comparison: '==', value: 0 },
    { metric: 'checks', statistic: 'rate', comparison: '==', value: 1 },
  ];
  if (abort !== undefined) {
    for (const threshold of abortable) {
      threshold.abortOnFail = true;
      threshold.delayAbortEvalS = abort.delayAbortEvalS;
    }
  }
  return abortable.concat([
    { metric: 'routing_lag_refusals', statistic: 'count', comparison: '==', value: 0 },
  ]);
}

const DECISION_DELAY_S = 1;

/** Closed-loop scenario: ramp up, hold `users`, ramp down. */
function users(
  name: ScenarioName,
  purpose: string,
  count: number,
  shape: { rampS: number; holdS: number; pauseS: number },
): Scenario {
  return {
    name,
    purpose,
    executor: {
      executor: 'ramping-vus',
      startVus: 0,
      stages: [
        { durationS: shape.rampS, target: count },
        { durationS: shape.holdS, target: count },
        { durationS: shape.rampS, target: 0 },
      ],
    },
    pauseS: shape.pauseS,
    decisionDelayS: DECISION_DELAY_S,
    thresholds: targets(),
  };
}

export const scenarios: Record<ScenarioName, Scenario> = {
  light: users('light', 'basic functionality, CI', 5, { rampS: 5, holdS: 30, pauseS: 0.2 }),
  medium: users('medium', 'standard baseline', 10, { rampS: 5, holdS: 60, pauseS: 0.1 }),
  heavy: users('heavy', 'sustained load, capacity planning', 25, {
    rampS: 10,
    holdS: 120,
    pauseS: 0.05,
  }),
  spike: {
    name: 'spike',
    purpose: 'a sudden jump from 5 to 50 users and back, then recovery',
    executor: {
      executor: 'ramping-vus',
      startVus: 5,
      stages: [
        { durationS: 10, target: 5 },
        { durationS: 2, target: 50 },
        { durationS: 30, target: 50 },
        { durationS: 2, target: 5 },
        { durationS: 15, target: 5 },
      ],
    },
    pauseS: 0.02,
    decisionDelayS: DECISION_DELAY_S,
    thresholds: targets(),
  },
  // Ten minutes by default: the run must end before the access tokens from setup expire
  // (15 min unless ACCESS_TOKEN_TTL_SECONDS is raised); DURATION_SCALE stretches it.
  soak: users('soak', 'moderate load held long: leaks, growth with history', 10, {
    rampS: 30,
    holdS: 600,
    pauseS: 0.1,
  }),
  stress: {
    name: 'stress',
    purpose: 'raise the arrival rate until a target breaks, then stop (abortOnFail)',
    executor: {
      executor: 'ramping-arrival-rate',
      startRate: 2,
      preAllocatedVus: 20,
      maxVus: 300,
      stages: [
        { durationS: 60, target: 20 },
        { durationS: 60, target: 50 },
        { durationS: 60, target: 100 },
        { durationS: 60, target: 200 },
        { durationS: 60, target: 400 },
      ],
    },
    pauseS: 0,
    decisionDelayS: DECISION_DELAY_S,
    thresholds: [
      ...targets({ delayAbortEvalS: 10 }),
      {
        metric: 'dropped_iterations',
        statistic: 'count',
        comparison: '==',
        value: 0,
        abortOnFail: true,
        delayAbortEvalS: 10,
      },
    ],
  },
};

export function isScenarioName(name: string): name is ScenarioName {
  // indexOf, not includes (ES2016): the oldest k6 runtimes know only ES2015's built-ins.
  return (SCENARIO_NAMES as readonly string[]).indexOf(name) >= 0;
}

/**
 * The scenario with every stage's duration multiplied by `factor` (0.25: a quarter as long),
 * for a short trial run. Durations are rounded to whole seconds, at least 1 s each.
 */
export function scaled(scenario: Scenario, factor: number): Scenario {
  if (!(factor > 0)) throw new Error(`duration scale must be a positive number, got ${factor}`);
  const stages = scenario.executor.stages.map((stage) => ({
    durationS: Math.max(1, Math.round(stage.durationS * factor)),
    target: stage.target,
  }));
  const executor: Executor = Object.assign({}, scenario.executor, { stages });
  return Object.assign({}, scenario, { executor });
}

export function totalDurationS(scenario: Scenario): number {
  return scenario.executor.stages.reduce((sum, stage) => sum + stage.durationS, 0);
}

/** The stages' target at `atS` seconds into the run: linear within a stage, as k6 ramps. */
export function targetAt(start: number, stages: readonly Stage[], atS: number): number {
  let from = start;
  let stageStart = 0;
  for (const stage of stages) {
    if (atS < stageStart + stage.durationS) {
      return from + ((stage.target - from) * (atS - stageStart)) / stage.durationS;
    }
    from = stage.target;
    stageStart += stage.durationS;
  }
  return from;
}

/**
 * Iterations an arrival-rate executor has started by `atS`: the integral of the rate (per
 * second) over the piecewise-linear stages, from 0 to atS.
 */
export function arrivalsBy(startRate: number, stages: readonly Stage[], atS: number): number {
  let total = 0;
  let from = startRate;
  let stageStart = 0;
  for (const stage of stages) {
    const within = Math.min(Math.max(atS - stageStart, 0), stage.durationS);
    const rateThere = from + ((stage.target - from) * within) / stage.durationS;
    total += ((from + rateThere) / 2) * within;
    from = stage.target;
    stageStart += stage.durationS;
  }
  return total;
}

/** The highest VU count the scenario can reach: what a driver must be ready to run. */
export function peakVus(executor: Executor): number {
  if (executor.executor === 'ramping-arrival-rate') return executor.maxVus;
  return Math.max(executor.startVus, ...executor.stages.map((stage) => stage.target));
}

/** k6's text for a threshold, e.g. "p(99)<=100". */
export function thresholdExpression(threshold: Threshold): string {
  return `${threshold.statistic}${threshold.comparison}${threshold.value}`;
}

/** The figures a driver measured, by metric, with the statistics the thresholds name. */
export type MeasuredStatistics = Partial<Record<MetricName, Partial<Record<Statistic, number>>>>;

export interface ThresholdVerdict {
  threshold: Threshold;
  expression: string;
  measured: number | undefined;
  /** undefined when the metric was not measured (e.g. no request answered at all). */
  passed: boolean | undefined;
}

export function judgeThreshold(
  threshold: Threshold,
  measured: MeasuredStatistics,
): ThresholdVerdict {
  const value = measured[threshold.metric]?.[threshold.statistic];
  const expression = thresholdExpression(threshold);
  if (value === undefined || Number.isNaN(value)) {
    return { threshold, expression, measured: undefined, passed: undefined };
  }
  const passed =
    threshold.comparison === '<=' ? value <= threshold.value : value === threshold.value;
  return { threshold, expression, measured: value, passed };
}
