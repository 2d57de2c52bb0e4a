/**
 * The bench's measured phases. Each returns plain figures; run.ts prints and saves them.
 */
import { performance } from 'node:perf_hooks';
import {
  Api,
  type ApiResponse,
  describe,
  isRoutingLagRefusal,
  parseJson,
  stringField,
  type Tokens,
} from './api.js';
import type { BenchConfig } from './config.js';
import {
  type KINDS,
  type KindReport,
  KindStats,
  kindReport,
  MixState,
  mergedStats,
  type OpenLoopResult,
  runClosedLoop,
  runOpenLoop,
} from './load.js';
import {
  type Background,
  type MeasureContext,
  measureWindow,
  type PerRequest,
  type PgPerCreate,
  perRequest,
  pgPerCreate,
} from './measure.js';
import { TICK_MS } from './proc-cpu.js';
import { backlogDrainMs, LoadRoutingSampler, type RoutingReport, waitRouted } from './routing.js';
import { round2 } from './stats.js';

export interface PhaseDeps {
  cfg: BenchConfig;
  /** Setup and probe calls; a load phase opens its own pool for the load itself. */
  api: Api;
  tokens: Tokens;
  ctx: MeasureContext;
  background: Background | undefined;
}

// ---------------------------------------------------------------------------------------------
// Sequential: one kind at a time, one request at a time

export interface SequentialKind {
  latency: KindReport;
  cpu: PerRequest;
  /** Only for creates: PostgreSQL's work per create. */
  pg?: PgPerCreate;
  /** Approves refused because the chain was not stored (should be 0: ids are long routed). */
  routing_lag_refusals?: number;
}

export interface SequentialReport {
  create: SequentialKind;
  approve: SequentialKind;
  status: SequentialKind;
}

async function sequentialRun(
  count: number,
  send: (i: number) => Promise<ApiResponse>,
): Promise<{ stats: KindStats; wallS: number; responses: ApiResponse[] }> {
  const stats = new KindStats();
  const responses: ApiResponse[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i += 1) {
    const response = await send(i);
    stats.record(response);
    responses.push(response);
  }
  return { stats, wallS: (performance.now() - started) / 1_000, responses };
}

function expenseIds(responses: readonly ApiResponse[]): string[] {
  return responses.flatMap((response) => {
    const id = stringField(parseJson(response.text), 'expense_id');
    return response.status === 201 && id !== undefined ? [id] : [];
  });
}

export async function sequentialPhase(deps: PhaseDeps): Promise<SequentialReport> {
  const { cfg, api, tokens, ctx, background } = deps;
  console.log(`  ${cfg.sequentialCount} creates, one at a time…`);
  // PostgreSQL's idle backends flush their counters up to 10 s late: wait before reading them.
  const creates = await measureWindow(ctx, { pgSettleMs: cfg.pgSettleMs }, () =>
    sequentialRun(cfg.sequentialCount, () => api.create(tokens.submitter)),
  );
  const ids = expenseIds(creates.result.responses);
  const firstCreate = creates.result.responses[0];
  if (ids.length === 0 || firstCreate === undefined) {
    throw new Error(`no create succeeded: ${firstCreate ? describe(firstCreate) : 'none sent'}`);
  }
  console.log(`  ${ids.length} approves of those, one at a time…`);
  const approves = await measureWindow(ctx, { pgSettleMs: 0 }, () =>
    sequentialRun(ids.length, (i) => api.approve(tokens.approver, ids[i] ?? '')),
  );
  console.log(`  ${cfg.sequentialStatusCount} status reads, one at a time…`);
  const reads = await measureWindow(ctx, { pgSettleMs: 0 }, () =>
    sequentialRun(cfg.sequentialStatusCount, (i) =>
      api.status(tokens.submitter, ids[i % ids.length] ?? ''),
    ),
  );
  return {
    create: {
      latency: kindReport(creates.result.stats, creates.result.wallS),
      cpu: perRequest(creates.figures, background, TICK_MS),
      pg: pgPerCreate(creates.figures, background, ids.length),
    },
    approve: {
      latency: kindReport(approves.result.stats, approves.result.wallS),
      cpu: perRequest(approves.figures, background, TICK_MS),
      routing_lag_refusals: approves.result.responses.filter(isRoutingLagRefusal).length,
    },
    status: {
      latency: kindReport(reads.result.stats, reads.result.wallS),
      cpu: perRequest(reads.figures, background, TICK_MS),
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Mixed load, closed or open loop

const POOL_CONCURRENCY = 8;
const POOL_ROUTE_TIMEOUT_MS = 60_000;

/**
 * Fresh expenses for the load's first approvals. Routing is waited for on the last one only
 * (its approve is the probe), so the cost does not grow with frank's queue: on a pre-filled
 * database that queue may hold 100,000 items.
 */
async function createRoutedPool(api: Api, tokens: Tokens, size: number): Promise<string[]> {
  const ids: string[] = [];
  const failures: string[] = [];
  let started = 0;
  const worker = async (): Promise<void> => {
    while (started < size) {
      started += 1;
      try {
        ids.push(await api.createOrThrow(tokens.submitter));
      } catch (error) {
        failures.push(error instanceof Error ? error.message : String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: POOL_CONCURRENCY }, worker));
  if (failures.length > 0) {
    console.warn(`  warning: ${failures.length} pool creates failed, first: ${failures[0]}`);
  }
  const last = ids.pop();
  if (last === undefined) throw new Error('could not create any expense for the pool');
  const probe = await waitRouted(api, tokens, last, performance.now(), 20, POOL_ROUTE_TIMEOUT_MS);
  if (probe.lagMs === null) {
    console.warn(
      `  warning: the pool's last expense was not routed within ${POOL_ROUTE_TIMEOUT_MS} ms`,
    );
  }
  return ids;
}

export interface LoadReport {
  mode: 'closed' | 'open';
  /** Closed loop: connections; open loop: arrivals per second, duration and in-flight cap. */
  shape: Record<string, number>;
  duration_s: number;
  endpoints: Record<(typeof KINDS)[number], KindReport>;
  overall: KindReport;
  open_loop?: OpenLoopResult;
  routing_lag_refusals: number;
  approve_starved: number;
  routed_during_load: RoutingReport;
  backlog_drained_ms: number | null;
  /** After the backlog probe, until the services' CPU went quiet (their queued work done). */
  quiet_after_ms: number;
  cpu: PerRequest;
  /** All of PostgreSQL's work during the phase divided by the creates the load made. */
  pg?: PgPerCreate;
}

export async function loadPhase(deps: PhaseDeps, mode: 'closed' | 'open'): Promise<LoadReport> {
  const { cfg, api, tokens, ctx, background } = deps;
  console.log(`  creating a pool of ${cfg.poolSize} expenses to approve first…`);
  const pool = await createRoutedPool(api, tokens, cfg.poolSize);
  const loadApi = new Api(
    cfg.origin,
    cfg.prefix,
    mode === 'closed' ? cfg.closedConnections : cfg.openMaxInFlight,
  );
  const sampler = new LoadRoutingSampler(api, tokens, cfg.routeSampleEveryMs);
  const mix = new MixState(loadApi, tokens, pool, {
    approveAfterMs: cfg.approveAfterMs,
    onCreated: sampler.claim,
  });
  const shape: Record<string, number> =
    mode === 'closed'
      ? { connections: cfg.closedConnections, duration_s: cfg.closedDurationS }
      : { rate: cfg.openRate, duration_s: cfg.openDurationS, max_in_flight: cfg.openMaxInFlight };
  console.log(`  ${mode} loop ${JSON.stringify(shape)}, mix 50/30/20 create/approve/status…`);
  const { figures, result } = await measureWindow(ctx, { pgSettleMs: cfg.pgSettleMs }, async () => {
    const openLoop =
      mode === 'open'
        ? await runOpenLoop(
            () => mix.iterate(),
            cfg.openRate,
            cfg.openDurationS,
            cfg.openMaxInFlight,
          )
        : undefined;
    const durationS =
      openLoop?.duration_s ??
      (await runClosedLoop(mix, cfg.closedConnections, cfg.closedDurationS));
    const backlog = await backlogDrainMs(api, tokens, mix.lastCreated);
    return { openLoop, durationS, backlog, routed: await sampler.report() };
  });
  await loadApi.close();
  const creates = mix.stats.create.latencies.length;
  const { durationS } = result;
  return {
    mode,
    shape,
    duration_s: round2(durationS),
    endpoints: {
      create: kindReport(mix.stats.create, durationS),
      approve: kindReport(mix.stats.approve, durationS),
      status: kindReport(mix.stats.status, durationS),
    },
    overall: kindReport(mergedStats(mix), durationS),
    open_loop: result.openLoop,
    routing_lag_refusals: mix.routingLagRefusals,
    approve_starved: mix.approveStarved,
    routed_during_load: result.routed,
    backlog_drained_ms: result.backlog === null ? null : round2(result.backlog),
    quiet_after_ms: round2(figures.quietWaitMs),
    cpu: perRequest(figures, background, TICK_MS),
    pg: pgPerCreate(figures, background, creates),
  };
}
