/**
 * The bench's settings, all from the environment (see docs/BENCHMARKS.md for the list).
 * BENCH_QUICK=1 shrinks every phase for a CI-like smoke run; an explicit variable still wins.
 */
import path from 'node:path';

export const PHASES = ['sequential', 'routing', 'closed', 'open', 'sse'] as const;
export type Phase = (typeof PHASES)[number];

export interface BenchConfig {
  origin: string;
  /** Path prefix of BASE_URL (usually empty), prepended to every API path. */
  prefix: string;
  phases: ReadonlySet<Phase>;
  quick: boolean;
  closedConnections: number;
  closedDurationS: number;
  openRate: number;
  openDurationS: number;
  /** Like k6's maxVUs: an arrival that finds this many requests in flight is dropped. */
  openMaxInFlight: number;
  /** Requests per kind in the sequential phase; status reads are cheap, so they get more. */
  sequentialCount: number;
  sequentialStatusCount: number;
  /** Routed expenses created before each load phase, for its first approvals. */
  poolSize: number;
  /** An expense created under load is approved no sooner than this after its 201. */
  approveAfterMs: number;
  routeSamples: number;
  /** Under load, one create in this many ms is followed until it is routed. */
  routeSampleEveryMs: number;
  /** Wait for PostgreSQL's idle backends to flush their statistics before reading them. */
  pgSettleMs: number;
  databaseUrl: string;
  natsUrl: string;
  /** BENCH_PIDS, e.g. "gateway=12,expense=34+35": processes to meter instead of discovering them. */
  pidOverride: ReadonlyMap<string, number[]>;
  outDir: string;
}

/** Errors whose message is the whole story: printed without a stack trace. */
export class BenchAbort extends Error {}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function intFromEnv(name: string, fallback: number, min: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new BenchAbort(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function parseBaseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BenchAbort(`BASE_URL is not a URL: "${raw}"`);
  }
  // This bench saturates its target and reads /proc: it is for a cluster on this machine.
  if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) {
    throw new BenchAbort(
      `BASE_URL must be plain http on loopback (127.0.0.1, localhost, [::1]), got ${raw}`,
    );
  }
  return url;
}

export function parsePhases(raw: string | undefined): ReadonlySet<Phase> {
  if (raw === undefined || raw.trim() === '' || raw.trim() === 'all') return new Set(PHASES);
  const wanted = raw.split(',').map((name) => name.trim());
  const unknown = wanted.filter((name) => !(PHASES as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new BenchAbort(
      `BENCH_PHASES: unknown phase(s) ${unknown.join(', ')}; choose from ${PHASES.join(', ')}`,
    );
  }
  return new Set(PHASES.filter((phase) => wanted.includes(phase)));
}

export function parsePidOverride(raw: string | undefined): ReadonlyMap<string, number[]> {
  const groups = new Map<string, number[]>();
  if (raw === undefined || raw.trim() === '') return groups;
  for (const entry of raw.split(',')) {
    const [name, list] = entry.split('=');
    const pids = (list ?? '').split('+').map(Number);
    if (!name || pids.some((pid) => !Number.isInteger(pid) || pid < 1)) {
      throw new BenchAbort(`BENCH_PIDS: expected name=pid[+pid...], got "${entry}"`);
    }
    groups.set(name.trim(), pids);
  }
  return groups;
}

export function readConfig(): BenchConfig {
  const base = parseBaseUrl(process.env.BASE_URL ?? 'http://127.0.0.1:4000');
  const quick = process.env.BENCH_QUICK === '1' || process.env.BENCH_QUICK === 'true';
  const closedDefault = quick ? 5 : 20;
  return {
    origin: base.origin,
    prefix: base.pathname.replace(/\/+$/, ''),
    phases: parsePhases(process.env.BENCH_PHASES),
    quick,
    closedConnections: intFromEnv(
      'BENCH_CONNECTIONS',
      intFromEnv('BENCH_CLOSED_CONNECTIONS', 64, 1, 1_024),
      1,
      1_024,
    ),
    closedDurationS: intFromEnv(
      'BENCH_DURATION_S',
      intFromEnv('BENCH_CLOSED_DURATION_S', closedDefault, 1, 3_600),
      1,
      3_600,
    ),
    openRate: intFromEnv('BENCH_OPEN_RATE', 400, 1, 100_000),
    openDurationS: intFromEnv('BENCH_OPEN_DURATION_S', quick ? 10 : 60, 1, 3_600),
    openMaxInFlight: intFromEnv('BENCH_OPEN_MAX_INFLIGHT', 200, 1, 10_000),
    sequentialCount: intFromEnv('BENCH_SEQUENTIAL', quick ? 50 : 200, 1, 100_000),
    sequentialStatusCount: intFromEnv('BENCH_SEQUENTIAL_STATUS', quick ? 200 : 1_000, 1, 100_000),
    poolSize: intFromEnv('BENCH_POOL', quick ? 200 : 500, 1, 100_000),
    approveAfterMs: intFromEnv('BENCH_APPROVE_AFTER_MS', 1_000, 0, 60_000),
    routeSamples: intFromEnv('BENCH_ROUTE_SAMPLES', quick ? 20 : 50, 1, 10_000),
    routeSampleEveryMs: intFromEnv('BENCH_ROUTE_SAMPLE_EVERY_MS', 200, 10, 60_000),
    pgSettleMs: intFromEnv('BENCH_PG_SETTLE_MS', quick ? 2_000 : 11_000, 0, 120_000),
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/countersign',
    natsUrl: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    pidOverride: parsePidOverride(process.env.BENCH_PIDS),
    outDir: path.resolve(process.env.BENCH_OUT_DIR ?? 'bench-results'),
  };
}
