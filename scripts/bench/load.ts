/**
 * Seed 001's mixed load (50% create, 30% approve, 20% status) in two shapes:
 *
 * - closed loop: N workers, each sending its next request when the last one answered, so
 *   the offered load adapts to the server (what k6's constant-vus does);
 * - open loop: iterations start on a fixed schedule whatever the answers, as with k6's
 *   constant-arrival-rate; an arrival that finds `maxInFlight` requests outstanding is
 *   dropped and counted, like an iteration k6 drops when all of its maxVUs are busy.
 *
 * Both share one MixState: it draws each request's kind, hands every approvable expense out
 * once (never sooner than `approveAfterMs` after its 201) and records per-kind figures.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Api,
  type ApiResponse,
  isRoutingLagRefusal,
  parseJson,
  stringField,
  type Tokens,
} from './api.js';
import { type LatencySummary, round2, summarize } from './stats.js';

export const KINDS = ['create', 'approve', 'status'] as const;
export type Kind = (typeof KINDS)[number];

/** Seed 001's request mix, as cumulative thresholds for a single Math.random() draw. */
const MIX_CREATE_BELOW = 0.5;
const MIX_APPROVE_BELOW = 0.8;

export class KindStats {
  readonly latencies: number[] = [];
  readonly statusCodes = new Map<number, number>();
  /** Non-2xx answers and requests that got no answer at all. */
  errors = 0;

  record(response: ApiResponse): void {
    this.latencies.push(response.ms);
    this.statusCodes.set(response.status, (this.statusCodes.get(response.status) ?? 0) + 1);
    if (response.status < 200 || response.status > 299) this.errors += 1;
  }
}

interface Approvable {
  id: string;
  readyAt: number;
}

export interface MixOptions {
  approveAfterMs: number;
  /** Called with the id and the moment of every 201 the load receives for a create. */
  onCreated?: (id: string, at: number) => boolean;
}

export class MixState {
  readonly stats: Record<Kind, KindStats> = {
    create: new KindStats(),
    approve: new KindStats(),
    status: new KindStats(),
  };
  /** Approves answered 404 (or 409 "not routed") because the chain was not stored yet. */
  routingLagRefusals = 0;
  /** Approve draws that found no expense ready to approve and were sent as status reads. */
  approveStarved = 0;
  /** The last expense the load created, to time how long routing needs to catch up. */
  lastCreated: string | undefined;
  private readonly approvable: Approvable[];
  private head = 0;
  /** Every expense grace owns and the bench knows of, for status reads. */
  private readonly known: string[];

  constructor(
    private readonly api: Api,
    private readonly tokens: Tokens,
    routedPool: readonly string[],
    private readonly options: MixOptions,
  ) {
    this.known = [...routedPool];
    this.approvable = routedPool.map((id) => ({ id, readyAt: 0 }));
  }

  /** One iteration: draws a kind, sends it, records the answer. */
  async iterate(): Promise<void> {
    const draw = Math.random();
    if (draw < MIX_CREATE_BELOW) return this.create();
    if (draw < MIX_APPROVE_BELOW) {
      const id = this.takeApprovable();
      if (id !== undefined) return this.approve(id);
      // Skipping the iteration would lower the offered load; read instead, and say how often.
      this.approveStarved += 1;
    }
    return this.status();
  }

  requestCount(): number {
    return KINDS.reduce((sum, kind) => sum + this.stats[kind].latencies.length, 0);
  }

  private async create(): Promise<void> {
    const response = await this.api.create(this.tokens.submitter);
    this.stats.create.record(response);
    if (response.status !== 201) return;
    const id = stringField(parseJson(response.text), 'expense_id');
    if (id === undefined) return;
    const at = performance.now();
    this.lastCreated = id;
    this.known.push(id);
    // A create the routing sampler follows is approved by its probe, not by the mix.
    if (this.options.onCreated?.(id, at) === true) return;
    this.approvable.push({ id, readyAt: at + this.options.approveAfterMs });
  }

  private async approve(id: string): Promise<void> {
    const response = await this.api.approve(this.tokens.approver, id);
    this.stats.approve.record(response);
    if (isRoutingLagRefusal(response)) this.routingLagRefusals += 1;
  }

  private async status(): Promise<void> {
    const id = this.known[Math.floor(Math.random() * this.known.length)];
    if (id === undefined) return;
    this.stats.status.record(await this.api.status(this.tokens.submitter, id));
  }

  /** FIFO, so every id is approved at most once and never before its routing grace is over. */
  private takeApprovable(): string | undefined {
    const candidate = this.approvable[this.head];
    if (candidate === undefined || candidate.readyAt > performance.now()) return undefined;
    this.head += 1;
    // Drop the consumed prefix now and then so a long run does not keep every id.
    if (this.head > 10_000) {
      this.approvable.splice(0, this.head);
      this.head = 0;
    }
    return candidate.id;
  }
}

export interface KindReport extends LatencySummary {
  req_per_s: number;
  errors: number;
  status_codes: Record<string, number>;
}

export function kindReport(stats: KindStats, durationS: number): KindReport {
  const summary = summarize(stats.latencies);
  return {
    ...summary,
    req_per_s: round2(summary.count / durationS),
    errors: stats.errors,
    status_codes: Object.fromEntries([...stats.statusCodes].map(([code, n]) => [String(code), n])),
  };
}

export function mergedStats(mix: MixState): KindStats {
  const merged = new KindStats();
  for (const kind of KINDS) {
    const stats = mix.stats[kind];
    for (const ms of stats.latencies) merged.latencies.push(ms);
    merged.errors += stats.errors;
    for (const [code, n] of stats.statusCodes) {
      merged.statusCodes.set(code, (merged.statusCodes.get(code) ?? 0) + n);
    }
  }
  return merged;
}

/** Runs `connections` workers back to back for `durationS`; returns the measured duration in s. */
export async function runClosedLoop(
  mix: Pick<MixState, 'iterate'>,
  connections: number,
  durationS: number,
): Promise<number> {
  const started = performance.now();
  const deadline = started + durationS * 1_000;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) await mix.iterate();
  };
  await Promise.all(Array.from({ length: connections }, worker));
  return (performance.now() - started) / 1_000;
}

export interface OpenLoopResult {
  /** Arrivals the schedule called for: rate × duration. */
  scheduled: number;
  started: number;
  dropped: number;
  /** How late the generator started iterations against their schedule (its own lag). */
  start_lag_p99_ms: number;
  start_lag_max_ms: number;
  /** Wall time from the first arrival until the last started iteration answered, in s. */
  duration_s: number;
}

/**
 * Starts `rate` iterations per second for `durationS`, on schedule, whatever the answers.
 * The timer wakes every millisecond or so and starts every arrival that has come due since,
 * so a late wake-up catches up instead of lowering the rate.
 */
export async function runOpenLoop(
  iterate: () => Promise<void>,
  rate: number,
  durationS: number,
  maxInFlight: number,
): Promise<OpenLoopResult> {
  const scheduled = Math.round(rate * durationS);
  const intervalMs = 1_000 / rate;
  const startLags: number[] = [];
  const running = new Set<Promise<void>>();
  let next = 0;
  let dropped = 0;
  const t0 = performance.now();
  while (next < scheduled) {
    const now = performance.now();
    while (next < scheduled && t0 + next * intervalMs <= now) {
      startLags.push(now - (t0 + next * intervalMs));
      next += 1;
      if (running.size >= maxInFlight) {
        dropped += 1;
        continue;
      }
      const iteration: Promise<void> = iterate().finally(() => running.delete(iteration));
      running.add(iteration);
    }
    if (next < scheduled) await sleep(Math.max(0, Math.min(1, t0 + next * intervalMs - now)));
  }
  await Promise.all(running);
  const lags = summarize(startLags);
  return {
    scheduled,
    started: scheduled - dropped,
    dropped,
    start_lag_p99_ms: lags.p99_ms,
    start_lag_max_ms: lags.max_ms,
    duration_s: round2((performance.now() - t0) / 1_000),
  };
}
