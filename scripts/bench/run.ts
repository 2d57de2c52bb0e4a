/**
 * Load bench for a Countersign cluster running on this machine (`npm run bench`).
 *
 * Phases, each selectable with BENCH_PHASES (default: all of them, in this order):
 *   sequential  200 creates, 200 approves, 1000 status reads, one at a time: idle latency
 *               through the gateway, CPU per request of each kind, PostgreSQL per create;
 *   routing     submit→routed on an idle cluster, sequential samples;
 *   closed      seed 001's mix (50% create, 30% approve, 20% status), 64 connections, 20 s;
 *   open        the same mix at a constant arrival rate (400/s for 60 s), dropping arrivals
 *               that find 200 requests in flight, like k6's constant-arrival-rate;
 *   sse         (scripts/bench/sse-latency.ts, run after this one by `npm run bench`).
 * Then a verdict against each target of issue 12. Everything is written to
 * bench-results/latest.json and a timestamped copy. Settings: see config.ts and
 * docs/BENCHMARKS.md. With BENCH_SCENARIO set, it runs that k6 scenario instead (see
 * scenario-run.ts).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Api } from './api.js';
import { BenchAbort, type BenchConfig, readConfig } from './config.js';
import { assertBenchLimits } from './limits.js';
import {
  type Background,
  type MeasureContext,
  measureBackground,
  type PerRequest,
  type PgPerCreate,
} from './measure.js';
import { PgStats } from './pg-stats.js';
import {
  type LoadReport,
  loadPhase,
  type PhaseDeps,
  type SequentialReport,
  sequentialPhase,
} from './phases.js';
import {
  heading,
  printBackground,
  printCpu,
  printIdleRouting,
  printLoad,
  printPg,
  printProcesses,
  printSequential,
  printTargets,
} from './print.js';
import { TICK_MS } from './proc-cpu.js';
import { discoverProcesses } from './processes.js';
import { idleRouting, type RoutingReport } from './routing.js';
import { scenarioCommand } from './scenario-run.js';
import { judgeTargets, type TargetVerdict } from './targets.js';

interface BenchReport {
  generated_at: string;
  base_url: string;
  config: Omit<BenchConfig, 'phases' | 'pidOverride' | 'databaseUrl'> & { phases: string[] };
  processes: Record<string, { pids: number[]; how: string }>;
  tick_ms: number;
  background?: Background;
  sequential?: SequentialReport;
  routing_idle?: RoutingReport;
  closed?: LoadReport;
  open?: LoadReport;
  targets: TargetVerdict[];
}

const BACKGROUND_WINDOW_MS = 5_000;

async function connectPg(cfg: BenchConfig): Promise<PgStats | undefined> {
  try {
    return await PgStats.connect(cfg.databaseUrl);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.warn(
      `warning: no PostgreSQL figures (${reason}); set DATABASE_URL to the cluster's database`,
    );
    return undefined;
  }
}

function targetsOf(report: BenchReport): TargetVerdict[] {
  const { sequential, closed, open } = report;
  return judgeTargets({
    closed: closed && {
      req_per_s: closed.overall.req_per_s,
      p99_ms: closed.overall.p99_ms,
      errors: closed.overall.errors,
    },
    open: open && {
      dropped: open.open_loop?.dropped ?? 0,
      p99_ms: open.overall.p99_ms,
      errors: open.overall.errors,
      routing_lag_refusals: open.routing_lag_refusals,
    },
    routedIdleP99Ms: report.routing_idle?.count ? report.routing_idle.p99_ms : undefined,
    routedLoadP99Ms: open?.routed_during_load.count ? open.routed_during_load.p99_ms : undefined,
    backlogDrainMs: open?.backlog_drained_ms,
    cpuPerRequestMs: sequential && {
      create: sequential.create.cpu.totalCpuMs,
      approve: sequential.approve.cpu.totalCpuMs,
      status: sequential.status.cpu.totalCpuMs,
    },
    idleP50Ms: sequential && {
      create: sequential.create.latency.p50_ms,
      status: sequential.status.latency.p50_ms,
    },
    commitsPerCreate: {
      idle: sequential?.create.pg?.perCreate.commits,
      load: (open ?? closed)?.pg?.perCreate.commits,
    },
  });
}

function printSummaryTables(report: BenchReport): void {
  const cpuRows: [string, PerRequest][] = [];
  const pgRows: [string, PgPerCreate][] = [];
  const { sequential, closed, open } = report;
  if (sequential) {
    cpuRows.push(['create only', sequential.create.cpu], ['approve only', sequential.approve.cpu]);
    cpuRows.push(['status only', sequential.status.cpu]);
    if (sequential.create.pg)
      pgRows.push([
        `idle, ${sequential.create.pg.creates} sequential creates`,
        sequential.create.pg,
      ]);
  }
  for (const load of [closed, open]) {
    if (load === undefined) continue;
    cpuRows.push([`${load.mode} loop, mix`, load.cpu]);
    if (load.pg) pgRows.push([`${load.mode} loop, mix`, load.pg]);
  }
  printCpu(cpuRows, TICK_MS);
  printPg(pgRows);
}

async function writeReport(cfg: BenchConfig, report: BenchReport): Promise<void> {
  await mkdir(cfg.outDir, { recursive: true });
  const text = `${JSON.stringify(report, null, 2)}\n`;
  const stamp = report.generated_at.replaceAll(':', '-').replace(/\.\d+Z$/, 'Z');
  const latest = path.join(cfg.outDir, 'latest.json');
  await writeFile(latest, text);
  await writeFile(path.join(cfg.outDir, `bench-${stamp}.json`), text);
  console.log(`\nFigures written to ${latest} (and bench-${stamp}.json beside it).`);
}

function baseReport(cfg: BenchConfig, processes: BenchReport['processes']): BenchReport {
  const { phases, pidOverride: _pids, databaseUrl: _db, ...settings } = cfg;
  return {
    generated_at: new Date().toISOString(),
    base_url: `${cfg.origin}${cfg.prefix}`,
    config: { ...settings, phases: [...phases] },
    processes,
    tick_ms: TICK_MS,
    targets: [],
  };
}

async function timed<T>(name: string, phase: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await phase();
  console.log(`  (${name} took ${((performance.now() - started) / 1_000).toFixed(1)} s)`);
  return result;
}

async function runPhases(
  cfg: BenchConfig,
  deps: Omit<PhaseDeps, 'background'>,
  report: BenchReport,
): Promise<void> {
  const metered =
    cfg.phases.has('sequential') || cfg.phases.has('closed') || cfg.phases.has('open');
  if (metered) {
    report.background = await measureBackground(deps.ctx, cfg.quick ? 2_000 : BACKGROUND_WINDOW_MS);
    printBackground(report.background);
  }
  const phaseDeps: PhaseDeps = { ...deps, background: report.background };
  if (cfg.phases.has('sequential')) {
    heading('Sequential phase');
    report.sequential = await timed('sequential', () => sequentialPhase(phaseDeps));
    printSequential(report.sequential);
  }
  if (cfg.phases.has('routing')) {
    report.routing_idle = await timed('routing', () =>
      idleRouting(deps.api, deps.tokens, cfg.routeSamples),
    );
    printIdleRouting(report.routing_idle);
  }
  if (cfg.phases.has('closed')) {
    heading('Closed-loop phase');
    report.closed = await timed('closed', () => loadPhase(phaseDeps, 'closed'));
    printLoad(report.closed);
  }
  if (cfg.phases.has('open')) {
    heading('Open-loop phase');
    report.open = await timed('open', () => loadPhase(phaseDeps, 'open'));
    printLoad(report.open);
  }
}

async function main(): Promise<number> {
  if (process.env.BENCH_SCENARIO) return scenarioCommand([]);
  const cfg = readConfig();
  const api = new Api(cfg.origin, cfg.prefix, 16);
  if (!(await api.healthy())) {
    console.error(
      `No Countersign gateway answers at ${cfg.origin}${cfg.prefix}/healthz.\n` +
        'Start the cluster first (npm start) or point BASE_URL at it.',
    );
    return 1;
  }
  console.log(
    `Countersign bench against ${cfg.origin}${cfg.prefix}, phases: ${[...cfg.phases].join(', ')}${cfg.quick ? ' (quick)' : ''}`,
  );
  const tokens = await api.loginAll();
  await assertBenchLimits(`${cfg.origin}${cfg.prefix}`, tokens.submitter);
  const pg = await connectPg(cfg);
  try {
    const processes = discoverProcesses(cfg.origin, cfg.natsUrl, cfg.pidOverride, pg);
    printProcesses(processes.found);
    const ctx: MeasureContext = { list: processes.list, pg };
    const report = baseReport(cfg, processes.found);
    await runPhases(cfg, { cfg, api, tokens, ctx }, report);
    printSummaryTables(report);
    report.targets = targetsOf(report);
    printTargets(report.targets);
    await writeReport(cfg, report);
  } finally {
    await pg?.close();
    await api.close();
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof BenchAbort ? `bench: ${error.message}` : error);
    process.exitCode = 1;
  },
);
