/**
 * What one company may take of the webhook machinery that every company shares: how many
 * endpoints it registers, how many of its endpoints are being sent to at once, and how
 * many manual redeliveries it asks for. Pure rules; the use cases count and lock.
 */

export interface WebhookLimits {
  /** Endpoints one company may have registered (active or paused). */
  maxEndpointsPerCompany: number;
  /** Manual redeliveries per endpoint within the window. */
  redeliveriesPerEndpoint: number;
  /** Manual redeliveries per company (all its endpoints) within the window. */
  redeliveriesPerCompany: number;
  redeliveryWindowMs: number;
}

export type LimitVerdict = { ok: true } | { ok: false; detail: string };

/** May a company that has `registered` endpoints register one more? */
export function endpointCapVerdict(registered: number, max: number): LimitVerdict {
  if (registered < max) return { ok: true };
  return {
    ok: false,
    detail: `your company has ${registered} webhooks, the most allowed is ${max}: delete one before registering another`,
  };
}

export type QuotaVerdict = { ok: true } | { ok: false; detail: string; retryAfterSeconds: number };

/**
 * A sliding-window quota: `recent` are the times of the latest requests (newest first; at
 * least the `limit` latest, if there are that many). A new one is allowed while fewer
 * than `limit` fall inside the window ending `now`; else it is allowed again once the
 * `limit`-th newest leaves the window, which is what Retry-After says (whole seconds, at
 * least 1).
 */
export function slidingQuotaVerdict(input: {
  recent: readonly Date[];
  limit: number;
  windowMs: number;
  now: Date;
  /** Names what is counted, in the refusal's detail: "redeliveries of this webhook". */
  what: string;
}): QuotaVerdict {
  const { recent, limit, windowMs, now, what } = input;
  const windowStart = now.getTime() - windowMs;
  const inWindow = recent.filter((at) => at.getTime() > windowStart);
  if (inWindow.length < limit) return { ok: true };
  const oldestCounted = inWindow[limit - 1] as Date;
  const freeAtMs = oldestCounted.getTime() + windowMs;
  const retryAfterSeconds = Math.max(1, Math.ceil((freeAtMs - now.getTime()) / 1000));
  return {
    ok: false,
    detail: `${limit} ${what} per ${describeWindow(windowMs)} allowed; try again in ${retryAfterSeconds} s`,
    retryAfterSeconds,
  };
}

function describeWindow(windowMs: number): string {
  if (windowMs === 3_600_000) return 'hour';
  if (windowMs % 60_000 === 0) return `${windowMs / 60_000} min`;
  return `${Math.ceil(windowMs / 1000)} s`;
}

/** An endpoint with due deliveries and nothing in flight: a candidate for a send slot. */
export interface DispatchCandidate {
  endpointId: string;
  companyId: string;
  /** When its oldest due delivery fell due. */
  dueAt: Date;
}

/**
 * Which endpoints get this round's free send slots, in order: at most one delivery per
 * endpoint (the caller only offers endpoints with none in flight), at most
 * `perCompany` endpoints of one company in flight at once (counting `busy`, what it
 * already has in flight on every replica), and the slots dealt round-robin: every
 * company with work gets its first endpoint before any gets a second, and so on; within
 * a turn, the longest-waiting first. So a company with many slow endpoints holds at most
 * `perCompany` slots, and a company with a single delivery waiting is served next.
 */
export function pickFairly(input: {
  candidates: readonly DispatchCandidate[];
  busy: ReadonlyMap<string, number>;
  slots: number;
  perCompany: number;
}): DispatchCandidate[] {
  const { candidates, busy, slots, perCompany } = input;
  const byCompany = new Map<string, DispatchCandidate[]>();
  for (const candidate of [...candidates].sort(byDueThenId)) {
    const queue = byCompany.get(candidate.companyId) ?? [];
    queue.push(candidate);
    byCompany.set(candidate.companyId, queue);
  }
  // Each candidate's turn: the company's in-flight count plus its place in the company's queue.
  const ranked: { candidate: DispatchCandidate; turn: number }[] = [];
  for (const [companyId, queue] of byCompany) {
    const already = busy.get(companyId) ?? 0;
    queue.forEach((candidate, index) => {
      const turn = already + index + 1;
      if (turn <= perCompany) ranked.push({ candidate, turn });
    });
  }
  ranked.sort((a, b) => a.turn - b.turn || byDueThenId(a.candidate, b.candidate));
  return ranked.slice(0, Math.max(0, slots)).map((entry) => entry.candidate);
}

function byDueThenId(a: DispatchCandidate, b: DispatchCandidate): number {
  return a.dueAt.getTime() - b.dueAt.getTime() || a.endpointId.localeCompare(b.endpointId);
}
