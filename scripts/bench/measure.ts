/**
 * A measured window around one phase: CPU per process group, requests sent, and PostgreSQL's
 * counters, with the cluster's idle background (timers, outbox relays, the audit chainer)
 * subtracted so that a figure per request counts what the requests caused.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { requestsSent } from './api.js';
import { counterDelta, type DbCounters, type PgStats } from './pg-stats.js';
import { CpuMeter, cpuTicks } from './proc-cpu.js';
import { type ListGroups, SERVICE_GROUPS } from './processes.js';

export interface WindowFigures {
  /** CPU ms per group over the window. */
  cpuMs: Record<string, number>;
  cpuWallMs: number;
  /** Of the window, the time spent waiting for the services to finish the phase's work. */
  quietWaitMs: number;
  requests: number;
  pg?: DbCounters;
  pgWallMs: number;
}

export interface MeasureContext {
  list: ListGroups;
  pg: PgStats | undefined;
}

const QUIET_STEP_MS = 300;
/** Node services together below this many ticks per step (3 ticks = 30 ms = 10% of a core). */
const QUIET_TICKS = 3;
const QUIET_MAX_MS = 60_000;

async function serviceTicks(list: ListGroups): Promise<number> {
  const groups = await list();
  let total = 0;
  for (const group of SERVICE_GROUPS) {
    for (const pid of groups.get(group) ?? []) total += cpuTicks(pid) ?? 0;
  }
  return total;
}

/** Waits until the services stop working off what the phase queued (events, audit, mail). */
export async function waitQuiet(list: ListGroups): Promise<number> {
  const started = performance.now();
  let before = await serviceTicks(list);
  while (performance.now() - started < QUIET_MAX_MS) {
    await sleep(QUIET_STEP_MS);
    const now = await serviceTicks(list);
    if (now - before <= QUIET_TICKS) break;
    before = now;
  }
  return performance.now() - started;
}

export interface WindowOptions {
  /** Extra wait after quiet, before PostgreSQL's counters are read (0: read them at once). */
  pgSettleMs: number;
}

/** Runs `body` inside a measured window; returns its result with the window's figures. */
export async function measureWindow<T>(
  ctx: MeasureContext,
  options: WindowOptions,
  body: () => Promise<T>,
): Promise<{ figures: WindowFigures; result: T }> {
  const meter = new CpuMeter(ctx.list);
  await meter.begin();
  const pgBefore = await ctx.pg?.counters();
  const sentBefore = requestsSent();
  const started = performance.now();
  let polling = true;
  // Keep the last reading of processes that exit mid-phase (pool connections closing).
  const poller = (async () => {
    while (polling) {
      await sleep(1_000);
      if (polling) await meter.poll();
    }
  })();
  let result: T;
  let quietWaitMs = 0;
  try {
    result = await body();
    quietWaitMs = await waitQuiet(ctx.list);
  } finally {
    polling = false;
    await poller;
  }
  const cpu = await meter.end();
  const cpuWallMs = performance.now() - started;
  const requests = requestsSent() - sentBefore;
  if (options.pgSettleMs > 0 && ctx.pg !== undefined) await sleep(options.pgSettleMs);
  const pgAfter = await ctx.pg?.counters();
  const figures: WindowFigures = {
    cpuMs: Object.fromEntries(cpu),
    cpuWallMs,
    quietWaitMs,
    requests,
    pg: pgBefore && pgAfter ? counterDelta(pgBefore, pgAfter) : undefined,
    pgWallMs: performance.now() - started,
  };
  return { figures, result };
}

/** The idle cluster's own CPU and PostgreSQL traffic, per ms. */
export interface Background {
  cpuMsPerMs: Record<string, number>;
  pgPerMs?: DbCounters;
  windowMs: number;
}

export async function measureBackground(
  ctx: MeasureContext,
  windowMs: number,
): Promise<Background> {
  await waitQuiet(ctx.list);
  const { figures } = await measureWindow(ctx, { pgSettleMs: 0 }, () => sleep(windowMs));
  const perMs = (value: number): number => value / figures.cpuWallMs;
  return {
    cpuMsPerMs: Object.fromEntries(Object.entries(figures.cpuMs).map(([g, ms]) => [g, perMs(ms)])),
    pgPerMs: figures.pg && {
      commits: figures.pg.commits / figures.pgWallMs,
      rollbacks: figures.pg.rollbacks / figures.pgWallMs,
      inserted: figures.pg.inserted / figures.pgWallMs,
      updated: figures.pg.updated / figures.pgWallMs,
      deleted: figures.pg.deleted / figures.pgWallMs,
    },
    windowMs: figures.cpuWallMs,
  };
}

export interface PerRequest {
  requests: number;
  /** CPU ms per request and group, background subtracted (never below 0), and their total. */
  cpuMs: Record<string, number>;
  totalCpuMs: number;
  /** The same before subtracting the idle background. */
  rawTotalCpuMs: number;
  /** One clock tick divided by the requests: the resolution of each group's figure. */
  resolutionMs: number;
}

export function perRequest(
  figures: WindowFigures,
  background: Background | undefined,
  tickMs: number,
  denominator = figures.requests,
): PerRequest {
  const n = Math.max(1, denominator);
  const cpuMs: Record<string, number> = {};
  let total = 0;
  let raw = 0;
  for (const [group, ms] of Object.entries(figures.cpuMs)) {
    const idle = (background?.cpuMsPerMs[group] ?? 0) * figures.cpuWallMs;
    const net = Math.max(0, ms - idle) / n;
    cpuMs[group] = net;
    total += net;
    raw += ms / n;
  }
  return {
    requests: denominator,
    cpuMs,
    totalCpuMs: total,
    rawTotalCpuMs: raw,
    resolutionMs: tickMs / n,
  };
}

export interface PgPerCreate {
  creates: number;
  raw: DbCounters;
  /** Per create, the idle background's share over the same wall time subtracted. */
  perCreate: DbCounters;
}

export function pgPerCreate(
  figures: WindowFigures,
  background: Background | undefined,
  creates: number,
): PgPerCreate | undefined {
  if (figures.pg === undefined) return undefined;
  const n = Math.max(1, creates);
  const idle = background?.pgPerMs;
  const net = (key: keyof DbCounters): number => {
    const value = (figures.pg?.[key] ?? 0) - (idle?.[key] ?? 0) * figures.pgWallMs;
    return Math.max(0, value) / n;
  };
  return {
    creates,
    raw: figures.pg,
    perCreate: {
      commits: net('commits'),
      rollbacks: net('rollbacks'),
      inserted: net('inserted'),
      updated: net('updated'),
      deleted: net('deleted'),
    },
  };
}
