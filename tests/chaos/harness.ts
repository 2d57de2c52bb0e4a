/**
 * Runs one fault case of issue 15 (`npm run chaos`, and its short form in `npm test`):
 *
 *   const figures = await runChaosCase(cluster, {
 *     name: 'kill -9 of each service',
 *     faults: async (run) => {
 *       await run.fault('kill -9 expense', {
 *         inject: () => cluster.crash('expense'),
 *         heal: () => cluster.startService('expense'),
 *       });
 *     },
 *   });
 *   expect(figures.violations).toEqual([]);
 *
 * Steady load from the bench driver runs for the whole case (steady-load.ts); `faults`
 * injects faults through `run.fault`, each bounded in time: inject, hold, heal, then wait
 * (bounded) until every service's /readyz answers ready and a create succeeds again, which
 * is its time to recover. Then the load stops, and the ledger (tests/support/ledger.ts)
 * settles and checks. The figures are printed, returned, and appended to
 * .chaos/results.jsonl (docs/RELIABILITY.md quotes them). CHAOS_FULL=1 (`npm run chaos`)
 * asks cases for more faults and longer load: `run.full` and `chaosScale`.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServiceName } from '../../scripts/cluster.js';
import { Ledger } from '../support/ledger.js';
import { gatewayUrl, ports, type TestCluster } from '../support/test-cluster.js';
import { SteadyLoad, type SteadyLoadOptions } from './steady-load.js';

/** `npm run chaos`: every case at full length. Otherwise the short form CI runs. */
export const chaosFull = process.env.CHAOS_FULL === '1';

/** Picks the short or the full form of a number (faults, repetitions). */
export function chaosScale(short: number, full: number): number {
  return chaosFull ? full : short;
}

export interface Fault {
  inject(): Promise<void>;
  /** How long the fault stays in place before `heal` (default: none beyond `inject`). */
  holdMs?: number;
  heal(): Promise<void>;
}

export interface FaultRunner {
  readonly full: boolean;
  readonly ledger: Ledger;
  readonly load: SteadyLoad;
  /** Injects, holds and heals one fault, then waits until recovered; returns the recovery ms. */
  fault(name: string, fault: Fault): Promise<number>;
  /** Waits until the load has had `creates` more 201s (never for a length of time alone). */
  loadProgress(creates?: number): Promise<void>;
}

export interface ChaosCase {
  name: string;
  faults(run: FaultRunner): Promise<void>;
  /** The steady load: closed-loop workers and each one's pause (default 2 and 20 ms). */
  load?: SteadyLoadOptions;
  /** Creates the load must have had accepted before the first fault and after the last. */
  warmupCreates?: number;
  /** How long the ledger waits for the system to settle (default 180 s). */
  settleTimeoutMs?: number;
  /**
   * The ledger to use (default: a new one). Cases sharing a cluster share one: its check
   * covers everything since the cluster started, and a case's expected dead letters and
   * foreign messages stay expected in the checks after it.
   */
  ledger?: Ledger;
}

export interface ChaosFigures {
  case: string;
  mode: 'short' | 'full';
  requests: number;
  accepted: number;
  faults: number;
  violations: string[];
  /** Worst time to recover over the faults, and each one's, in ms. */
  recovery_max_ms: number;
  recovery_ms: number[];
  duration_s: number;
  finished_at: string;
}

const defaultLoad: SteadyLoadOptions = { connections: 2, pauseMs: 20 };
export const resultsFile = '.chaos/results.jsonl';
/** How long a fault may take to recover from before the case fails. */
const recoveryTimeoutMs = 120_000;

export async function runChaosCase(cluster: TestCluster, spec: ChaosCase): Promise<ChaosFigures> {
  const started = Date.now();
  const ledger = spec.ledger ?? new Ledger();
  const acceptedBefore = ledger.acceptedCount;
  const load = await SteadyLoad.start(gatewayUrl, ledger, spec.load ?? defaultLoad);
  const recoveries: number[] = [];
  const run: FaultRunner = {
    full: chaosFull,
    ledger,
    load,
    loadProgress: (creates = 10) => loadProgress(load, creates),
    async fault(name, fault) {
      await fault.inject();
      if (fault.holdMs) await sleep(fault.holdMs);
      const healedAt = Date.now();
      await fault.heal();
      const recovery = await recovered(load, healedAt, name);
      recoveries.push(recovery);
      return recovery;
    },
  };
  try {
    await run.loadProgress(spec.warmupCreates ?? 10);
    await spec.faults(run);
    await run.loadProgress(spec.warmupCreates ?? 10);
  } finally {
    await load.stop();
  }
  const violations = await ledger.check(cluster, { settleTimeoutMs: spec.settleTimeoutMs });
  const figures: ChaosFigures = {
    case: spec.name,
    mode: chaosFull ? 'full' : 'short',
    requests: load.requests,
    accepted: ledger.acceptedCount - acceptedBefore,
    faults: recoveries.length,
    violations,
    recovery_max_ms: Math.max(0, ...recoveries),
    recovery_ms: recoveries,
    duration_s: Math.round((Date.now() - started) / 100) / 10,
    finished_at: new Date().toISOString(),
  };
  report(figures);
  return figures;
}

async function loadProgress(load: SteadyLoad, creates: number): Promise<void> {
  const target = load.mix.stats.create.statusCodes.get(201) ?? 0;
  await until(
    async () => (load.mix.stats.create.statusCodes.get(201) ?? 0) >= target + creates,
    recoveryTimeoutMs,
    `the load to have ${creates} more creates accepted`,
  );
}

/** Ms from `healedAt` until every service is ready and a create succeeded after it. */
async function recovered(load: SteadyLoad, healedAt: number, fault: string): Promise<number> {
  await until(
    async () => load.lastCreatedAt > healedAt && (await allReady()),
    recoveryTimeoutMs,
    `recovery from ${fault}`,
  );
  return Date.now() - healedAt;
}

async function allReady(): Promise<boolean> {
  const names = Object.keys(ports) as ServiceName[];
  const answers = await Promise.all(
    names.map((name) =>
      fetch(`http://127.0.0.1:${ports[name]}/readyz`, { signal: AbortSignal.timeout(2_000) })
        .then((response) => response.status === 200)
        .catch(() => false),
    ),
  );
  return answers.every(Boolean);
}

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function report(figures: ChaosFigures): void {
  console.info(
    `chaos [${figures.mode}] ${figures.case}: ${figures.requests} requests, ` +
      `${figures.accepted} accepted, ${figures.faults} faults, ` +
      `${figures.violations.length} violations, recovery max ${figures.recovery_max_ms} ms ` +
      `(${figures.recovery_ms.join(', ')}), ${figures.duration_s} s`,
  );
  for (const violation of figures.violations.slice(0, 20))
    console.info(`  violation: ${violation}`);
  mkdirSync('.chaos', { recursive: true });
  appendFileSync(resultsFile, `${JSON.stringify(figures)}\n`);
}
