/**
 * Submit → routed: from the create's 201 in hand to the moment the approval service accepts a
 * decision on the expense. The probe is the approve itself (frank, the approver), repeated
 * while it is refused for want of a chain: it works at any queue size, unlike paging through
 * frank's pending queue. A figure over-states the true lag by up to one poll interval plus
 * one round trip.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Api, type ApiResponse, isRoutingLagRefusal, type Tokens } from './api.js';
import { type LatencySummary, summarize } from './stats.js';

const IDLE_POLL_MS = 2;
const MAX_POLL_MS = 250;
const LOAD_POLL_MS = 10;
const SAMPLE_TIMEOUT_MS = 30_000;

export interface RoutedProbe {
  /** ms from `since` until an approve was accepted, or null when none was within the timeout. */
  lagMs: number | null;
  /** Probe answers that were neither "routed" nor "not routed yet" (5xx, 429, no answer). */
  errors: number;
}

/** 200: approved now; 409 other than "not routed": the chain exists, already decided. */
function showsChain(response: ApiResponse): boolean {
  return response.status === 200 || (response.status === 409 && !isRoutingLagRefusal(response));
}

/**
 * Polls approve on `id` until a decision is accepted (or the chain is shown to exist), every
 * `pollMs` at first and less often as the wait grows.
 */
export async function waitRouted(
  api: Api,
  tokens: Tokens,
  id: string,
  since: number,
  pollMs: number,
  timeoutMs: number,
): Promise<RoutedProbe> {
  let errors = 0;
  for (;;) {
    const response = await api.approve(tokens.approver, id);
    if (showsChain(response)) return { lagMs: performance.now() - since, errors };
    if (!isRoutingLagRefusal(response)) errors += 1;
    const elapsed = performance.now() - since;
    if (elapsed > timeoutMs) return { lagMs: null, errors };
    // A long lag is known to within 10%; polling faster would only add load to a busy cluster.
    await sleep(Math.min(MAX_POLL_MS, Math.max(pollMs, elapsed / 10)));
  }
}

export interface RoutingReport extends LatencySummary {
  /** Samples never routed within the timeout. */
  not_routed: number;
  /** Probe answers that were errors (5xx, 429, no answer) rather than "not routed yet". */
  probe_errors: number;
}

export function routingReport(probes: readonly RoutedProbe[]): RoutingReport {
  const lags = probes.flatMap((probe) => (probe.lagMs === null ? [] : [probe.lagMs]));
  return {
    ...summarize(lags),
    not_routed: probes.filter((probe) => probe.lagMs === null).length,
    probe_errors: probes.reduce((sum, probe) => sum + probe.errors, 0),
  };
}

/** Sequential samples on a quiet cluster: create, then poll until routed, one at a time. */
export async function idleRouting(
  api: Api,
  tokens: Tokens,
  samples: number,
): Promise<RoutingReport> {
  const probes: RoutedProbe[] = [];
  for (let i = 0; i < samples; i += 1) {
    const id = await api.createOrThrow(tokens.submitter);
    probes.push(
      await waitRouted(api, tokens, id, performance.now(), IDLE_POLL_MS, SAMPLE_TIMEOUT_MS),
    );
  }
  return routingReport(probes);
}

/**
 * Follows one create in every `everyMs` of a load until it is routed. Its `claim` is the
 * MixState's onCreated hook: a claimed expense is approved by the probe, not by the mix.
 */
export class LoadRoutingSampler {
  private readonly probes: Promise<RoutedProbe>[] = [];
  private nextAt = 0;

  constructor(
    private readonly api: Api,
    private readonly tokens: Tokens,
    private readonly everyMs: number,
  ) {}

  readonly claim = (id: string, at: number): boolean => {
    if (at < this.nextAt) return false;
    this.nextAt = at + this.everyMs;
    this.probes.push(waitRouted(this.api, this.tokens, id, at, LOAD_POLL_MS, SAMPLE_TIMEOUT_MS));
    return true;
  };

  async report(): Promise<RoutingReport> {
    return routingReport(await Promise.all(this.probes));
  }
}

/**
 * After a load: how long until the last expense it created is routed. The load may have
 * approved it already (409), which also proves its chain was stored.
 */
export async function backlogDrainMs(
  api: Api,
  tokens: Tokens,
  lastCreated: string | undefined,
): Promise<number | null> {
  if (lastCreated === undefined) return null;
  const probe = await waitRouted(api, tokens, lastCreated, performance.now(), 20, 120_000);
  return probe.lagMs;
}
