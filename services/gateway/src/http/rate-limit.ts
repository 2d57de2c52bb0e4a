import {
  type Logger,
  type ServiceEnv,
  socketAddress,
  type TokenVerifier,
  TooManyRequestsError,
} from '@countersign/platform';
import type { Context, MiddlewareHandler } from 'hono';
import type { Kysely } from 'kysely';
import type { IdentityDatabase } from '../db/types.js';
import { clientAddress, type RateLimitVerdict, tightestVerdict } from '../domain/rate-limit.js';
import { consumeRateLimit } from '../use-cases/consume-rate-limit.js';

export interface ApiRateLimits {
  db: Kysely<IdentityDatabase>;
  verifyToken: TokenVerifier;
  logger: Logger;
  windowSeconds: number;
  /** Requests per window from one client address, authenticated or not. */
  perAddress: number;
  /** Requests per window carrying one subject's valid token. */
  perSubject: number;
  /** How many proxies in front of the gateway append to X-Forwarded-For (0: trust none). */
  trustedProxies: number;
}

/**
 * Limits every API request per client address, and authenticated ones per token
 * subject too, counting in PostgreSQL so replicas share the count. Answers 429 with
 * Retry-After; every answer carries RateLimit-Limit/-Remaining/-Reset (IETF draft) for
 * the limit closest to running out. If the count cannot be taken (the database is
 * down) the request goes ahead: a counter is not worth an outage.
 */
export function limitApiRate(limits: ApiRateLimits): MiddlewareHandler<ServiceEnv> {
  return async (c, next) => {
    const verdicts = await countRequest(c, limits).catch((error: unknown) => {
      limits.logger.warn({ err: error }, 'rate limit not checked');
      return [];
    });
    const shown = tightestVerdict(verdicts);
    if (shown) {
      c.header('ratelimit-limit', String(shown.limit));
      c.header('ratelimit-remaining', String(shown.remaining));
      c.header('ratelimit-reset', String(shown.resetSeconds));
    }
    if (shown && !shown.allowed) {
      throw new TooManyRequestsError(
        `too many requests; try again in ${shown.retryAfterSeconds} s`,
        shown.retryAfterSeconds,
      );
    }
    await next();
  };
}

async function countRequest(
  c: Context<ServiceEnv>,
  limits: ApiRateLimits,
): Promise<RateLimitVerdict[]> {
  const address = requestClientAddress(c, limits.trustedProxies);
  const byAddress = await consumeRateLimit(limits.db, {
    key: `api:ip:${address}`,
    limit: limits.perAddress,
    windowSeconds: limits.windowSeconds,
  });
  // An address already refused is not counted against the subject as well.
  if (!byAddress.allowed) return [byAddress];
  const subject = await tokenSubject(c, limits.verifyToken);
  if (!subject) return [byAddress];
  const bySubject = await consumeRateLimit(limits.db, {
    key: `api:sub:${subject}`,
    limit: limits.perSubject,
    windowSeconds: limits.windowSeconds,
  });
  return [byAddress, bySubject];
}

/** The client's address for per-address limits (login and OTP use cases need it too). */
export function requestClientAddress(c: Context, trustedProxies: number): string {
  return clientAddress(socketAddress(c), c.req.header('x-forwarded-for'), trustedProxies);
}

/**
 * The subject of a valid bearer token, if any. An invalid token is not refused here: the
 * route's own auth answers 401 (a verified token is cached, so checking twice is cheap).
 */
async function tokenSubject(
  c: Context<ServiceEnv>,
  verifyToken: TokenVerifier,
): Promise<string | undefined> {
  const match = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '');
  if (!match?.[1]) return undefined;
  try {
    return (await verifyToken(match[1])).sub;
  } catch {
    return undefined;
  }
}
