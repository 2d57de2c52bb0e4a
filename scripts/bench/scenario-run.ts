/**
 * Runs one of the shared load scenarios (deploy/k6/scenarios.ts) from Node, for machines
 * without a k6 binary: `npm run bench:scenario -- light` or `BENCH_SCENARIO=light npm run bench`.
 * The same users sign in once, then run the same journey (deploy/k6/journey.ts) on k6's
 * executor shapes; the same thresholds judge the figures, and a threshold marked
 * abortOnFail stops the run as it would stop k6. Exits 99 when a threshold fails, as k6 does.
 *
 * Settings: BASE_URL (http://127.0.0.1:4000), BENCH_SCENARIO or --scenario NAME (or the
 * name alone), BENCH_DURATION_SCALE (1; 0.25 runs every stage a quarter as long),
 * BENCH_OUT_DIR (bench-results).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  isScenarioName,
  judgeThreshold,
  peakVus,
  SCENARIO_NAMES,
  type Scenario,
  scaled,
  scenarios,
  type ThresholdVerdict,
  totalDurationS,
} from '../../deploy/k6/scenarios.js';
import { Api, SUBMITTER_EMAIL } from './api.js';
import { BenchAbort } from './config.js';
import { type ExecutorResult, runRampingArrivalRate, runRampingVus } from './executors.js';
import { runJourney, signIn } from './journey-driver.js';
import { assertBenchLimits } from './limits.js';
import { ScenarioMetrics } from './scenario-metrics.js';
import { printScenarioReport, type ScenarioReport } from './scenario-print.js';

/** k6's exit code when a threshold failed. */
export const THRESHOLDS_FAILED_EXIT = 99;
const ABORT_EVAL_EVERY_MS = 1_000;

export function scenarioNameFrom(argv: readonly string[], env: NodeJS.ProcessEnv): string {
  const flag = argv.findIndex((arg) => arg === '--scenario' || arg.startsWith('--scenario='));
  const fromFlag =
    flag < 0 ? undefined : (argv[flag]?.split('=')[1] ?? argv[flag + 1] ?? undefined);
  const positional = argv.find((arg) => !arg.startsWith('-'));
  return fromFlag ?? positional ?? env.BENCH_SCENARIO ?? 'light';
}

export function chooseScenario(name: string, scaleText: string | undefined): Scenario {
  if (!isScenarioName(name)) {
    throw new BenchAbort(`unknown scenario "${name}"; choose from ${SCENARIO_NAMES.join(', ')}`);
  }
  const scale = scaleText === undefined || scaleText === '' ? 1 : Number(scaleText);
  if (!(scale > 0)) {
    throw new BenchAbort(`BENCH_DURATION_SCALE must be a positive number, got "${scaleText}"`);
  }
  return scaled(scenarios[name], scale);
}

/**
 * Judges the thresholds marked abortOnFail once a second, each after its delay, as k6 does;
 * returns whether the run must stop, and remembers the verdict that stopped it.
 */
function abortWatch(scenario: Scenario, metrics: ScenarioMetrics) {
  const t0 = performance.now();
  let lastJudged = t0;
  let cause: ThresholdVerdict | undefined;
  const aborted = (): boolean => {
    const now = performance.now();
    if (cause !== undefined) return true;
    if (now - lastJudged < ABORT_EVAL_EVERY_MS) return false;
    lastJudged = now;
    const elapsedS = (now - t0) / 1_000;
    const due = scenario.thresholds.filter(
      (threshold) => threshold.abortOnFail === true && elapsedS >= (threshold.delayAbortEvalS ?? 0),
    );
    if (due.length === 0) return false;
    const statistics = metrics.statistics();
    cause = due
      .map((threshold) => judgeThreshold(threshold, statistics))
      .find((v) => v.passed === false);
    return cause !== undefined;
  };
  return { aborted, cause: () => cause };
}

/** Signs in, runs the scenario's executor and returns the figures and verdicts. */
export async function runScenario(api: Api, scenario: Scenario): Promise<ScenarioReport> {
  const metrics = new ScenarioMetrics();
  const sessions = await signIn(api, metrics, totalDurationS(scenario));
  const watch = abortWatch(scenario, metrics);
  const run = {
    iterate: () => runJourney(api, sessions, scenario, metrics),
    aborted: watch.aborted,
    onDropped: () => {
      metrics.droppedIterations += 1;
    },
  };
  const { executor } = scenario;
  const result: ExecutorResult =
    executor.executor === 'ramping-vus'
      ? await runRampingVus(executor, run)
      : await runRampingArrivalRate(executor, run);
  const statistics = metrics.statistics();
  const cause = watch.cause();
  return {
    scenario,
    duration_s: result.durationS,
    iterations: metrics.iterations,
    dropped_iterations: result.dropped,
    requests: metrics.requests(),
    overall: metrics.overall(),
    steps: metrics.stepReports(),
    checks: Object.fromEntries(metrics.checks),
    routing_lag_refusals: metrics.routingLagRefusals,
    thresholds: scenario.thresholds.map((threshold) => judgeThreshold(threshold, statistics)),
    aborted_by: cause && `${cause.threshold.metric} ${cause.expression}`,
  };
}

async function writeReport(outDir: string, report: ScenarioReport): Promise<string> {
  await mkdir(outDir, { recursive: true });
  const file = path.join(outDir, `scenario-${report.scenario.name}.json`);
  const stamped = { generated_at: new Date().toISOString(), ...report };
  await writeFile(file, `${JSON.stringify(stamped, null, 2)}\n`);
  return file;
}

/** The command: runs the chosen scenario against BASE_URL; resolves to the exit code. */
export async function scenarioCommand(argv: readonly string[]): Promise<number> {
  const scenario = chooseScenario(
    scenarioNameFrom(argv, process.env),
    process.env.BENCH_DURATION_SCALE,
  );
  const base = new URL(process.env.BASE_URL ?? 'http://127.0.0.1:4000');
  const api = new Api(base.origin, base.pathname.replace(/\/+$/, ''), peakVus(scenario.executor));
  try {
    if (!(await api.healthy())) {
      throw new BenchAbort(
        `No Countersign gateway answers at ${base.origin}/healthz. Start the cluster first (npm start) or point BASE_URL at it.`,
      );
    }
    await assertBenchLimits(
      `${base.origin}${base.pathname.replace(/\/+$/, '')}`,
      await api.login(SUBMITTER_EMAIL),
    );
    console.log(
      `Scenario ${scenario.name} (${scenario.purpose}) against ${base.origin}: ${totalDurationS(scenario)} s`,
    );
    const report = await runScenario(api, scenario);
    printScenarioReport(report);
    const file = await writeReport(
      path.resolve(process.env.BENCH_OUT_DIR ?? 'bench-results'),
      report,
    );
    console.log(`\nFigures written to ${file}.`);
    return report.thresholds.some((verdict) => verdict.passed === false)
      ? THRESHOLDS_FAILED_EXIT
      : 0;
  } finally {
    await api.close();
  }
}
