import {
  type ServiceEnv,
  socketAddress,
  type TokenVerifier,
  TooManyRequestsError,
} from '@countersign/platform';
import type { Context, MiddlewareHandler } from 'hono';
import { type Rate, RateLimiter, replicaShare } from '../domain/gcra.js';
import { clientAddress, type RateLimitVerdict, tightestVerdict } from '../domain/rate-limit.js';

export interface ApiRateLimits {
  verifyToken: TokenVerifier;
  /** This replica's share, per client address, authenticated or not. */
  perAddress: Rate;
  /** This replica's share, per subject of a valid token. */
  perSubject: Rate;
  /** How many proxies in front of the gateway append to X-Forwarded-For (0: trust none). */
  trustedProxies: number;
  /** A monotonic clock in milliseconds. */
  nowMs: () => number;
}

/** The API limit settings (gateway config.ts) as this replica's share of each rate. */
export function replicaRates(settings: {
  RATE_LIMIT_WINDOW_SECONDS: number;
  RATE_LIMIT_IP_PER_WINDOW: number;
  RATE_LIMIT_USER_PER_WINDOW: number;
  RATE_LIMIT_REPLICAS: number;
}): Pick<ApiRateLimits, 'perAddress' | 'perSubject'> {
  const periodMs = settings.RATE_LIMIT_WINDOW_SECONDS * 1000;
  const share = (limit: number) => ({
    limit: replicaShare(limit, settings.RATE_LIMIT_REPLICAS),
    periodMs,
  });
  return {
    perAddress: share(settings.RATE_LIMIT_IP_PER_WINDOW),
    perSubject: share(settings.RATE_LIMIT_USER_PER_WINDOW),
  };
}

/**
 * Limits every API request per client address, and authenticated ones per token subject
 * too, with GCRA in this replica's memory: no database round trip on the hot path. Each
 * replica enforces its share of the limit (RATE_LIMIT_REPLICAS), so behind a balancer
 * that spreads the load the total comes to the configured one. Answers 429 with
 * Retry-After; every answer carries RateLimit-Limit/-Remaining/-Reset (IETF draft) for
 * the limit closest to running out.
 *
 * A valid token is verified here once and put on the context, so the route's requireAuth
 * does not verify it again.
 */
export function limitApiRate(limits: ApiRateLimits): MiddlewareHandler<ServiceEnv> {
  const byAddress = new RateLimiter(limits.perAddress);
  const bySubject = new RateLimiter(limits.perSubject);
  return async (c, next) => {
    const now = limits.nowMs();
    const address = byAddress.check(requestClientAddress(c, limits.trustedProxies), now);
    // An address already refused is not counted against the subject as well.
    const subject = address.allowed ? await verifiedSubject(c, limits.verifyToken) : undefined;
    const shown: RateLimitVerdict = subject
      ? (tightestVerdict([address, bySubject.check(subject, now)]) ?? address)
      : address;
    c.header('ratelimit-limit', String(shown.limit));
    c.header('ratelimit-remaining', String(shown.remaining));
    c.header('ratelimit-reset', String(shown.resetSeconds));
    if (!shown.allowed) {
      throw new TooManyRequestsError(
        `too many requests; try again in ${shown.retryAfterSeconds} s`,
        shown.retryAfterSeconds,
      );
    }
    await next();
  };
}

/** The client's address for per-address limits (login and OTP use cases need it too). */
export function requestClientAddress(c: Context, trustedProxies: number): string {
  return clientAddress(socketAddress(c), c.req.header('x-forwarded-for'), trustedProxies);
}

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * The subject of a valid bearer token, if any, with the caller and token set on the
 * context for requireAuth. An invalid token is not refused here: the route's own auth
 * answers 401 (or 503 when keys cannot be had).
 */
async function verifiedSubject(
  c: Context<ServiceEnv>,
  verifyToken: TokenVerifier,
): Promise<string | undefined> {
  const token = BEARER.exec(c.req.header('authorization') ?? '')?.[1];
  if (!token) return undefined;
  try {
    const caller = await verifyToken(token);
    c.set('caller', caller);
    c.set('token', token);
    return caller.sub;
  } catch {
    return undefined;
  }
}
