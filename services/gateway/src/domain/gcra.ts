import type { RateLimitVerdict } from './rate-limit.js';

/**
 * A rate: `limit` requests per `periodMs`, sustained, of which the whole `limit` may come
 * at once as a burst.
 */
export interface Rate {
  limit: number;
  periodMs: number;
}

/** What one check decides, and the key's theoretical arrival time to keep (ms). */
export interface GcraOutcome {
  verdict: RateLimitVerdict;
  tat: number;
}

/** Float slack, so `limit` requests at one instant are all allowed despite rounding. */
const SLACK_MS = 1e-6;

/**
 * The generic cell rate algorithm: a key's state is one number, the time at which its
 * bucket would be full again (`tat`). Each allowed request moves it one emission interval
 * (`periodMs / limit`) later; a request is refused when that would put it more than one
 * period ahead of now. Refused requests do not move it, so a client is let in again at
 * the sustained rate however hard it knocks. An absent or past `tat` means a full bucket.
 */
export function checkRate(rate: Rate, storedTat: number | undefined, nowMs: number): GcraOutcome {
  const interval = rate.periodMs / rate.limit;
  const tat = Math.max(storedTat ?? nowMs, nowMs);
  const nextTat = tat + interval;
  const ahead = nextTat - nowMs;
  if (ahead > rate.periodMs + SLACK_MS) {
    const retryAfterSeconds = wholeSeconds(ahead - rate.periodMs);
    return {
      verdict: {
        allowed: false,
        limit: rate.limit,
        remaining: 0,
        resetSeconds: retryAfterSeconds,
        retryAfterSeconds,
      },
      tat,
    };
  }
  return {
    verdict: {
      allowed: true,
      limit: rate.limit,
      remaining: Math.max(0, Math.floor((rate.periodMs - ahead) / interval + SLACK_MS)),
      // When the whole limit is available again.
      resetSeconds: wholeSeconds(ahead),
      retryAfterSeconds: 0,
    },
    tat: nextTat,
  };
}

/** Rounded up, at least 1: waiting that long is always enough. */
function wholeSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000 - SLACK_MS));
}

/**
 * GCRA state for many keys, in this process's memory. A key whose bucket is full again is
 * forgotten (it is the same as a key never seen): keys are kept in the order they were
 * last allowed, and each check drops up to two full ones from the front, so memory follows
 * the keys active within the last period. Past `maxKeys` the least recently allowed key
 * is forgotten early, which can only let that client in sooner.
 */
export class RateLimiter {
  private readonly tats = new Map<string, number>();

  constructor(
    readonly rate: Rate,
    private readonly maxKeys = 100_000,
  ) {}

  check(key: string, nowMs: number): RateLimitVerdict {
    this.forgetFullBuckets(nowMs);
    const outcome = checkRate(this.rate, this.tats.get(key), nowMs);
    if (outcome.verdict.allowed) {
      // Delete first, so the key moves to the back of the insertion order.
      this.tats.delete(key);
      this.tats.set(key, outcome.tat);
      if (this.tats.size > this.maxKeys) this.forgetOldest();
    }
    return outcome.verdict;
  }

  /** How many keys are remembered (for tests and figures). */
  get size(): number {
    return this.tats.size;
  }

  private forgetFullBuckets(nowMs: number): void {
    for (let i = 0; i < 2; i++) {
      const oldest = this.tats.entries().next();
      if (oldest.done || oldest.value[1] > nowMs) return;
      this.tats.delete(oldest.value[0]);
    }
  }

  private forgetOldest(): void {
    const oldest = this.tats.keys().next();
    if (!oldest.done) this.tats.delete(oldest.value);
  }
}

/**
 * One replica's share of a limit meant for the whole service: the load balancer spreads a
 * client's requests over the replicas, so each lets through its part. At least 1.
 */
export function replicaShare(limit: number, replicas: number): number {
  return Math.max(1, Math.floor(limit / Math.max(1, replicas)));
}
