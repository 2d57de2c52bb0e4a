import { DomainError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { countHit } from '../db/rate-limit-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import { type RateLimitVerdict, rateLimitVerdict } from '../domain/rate-limit.js';

export interface RateLimit {
  /** What is counted, namespaced by its caller: `ip:203.0.113.9`, `login:account:<id>`… */
  key: string;
  /** Requests allowed per window. */
  limit: number;
  windowSeconds: number;
}

/**
 * Counts one request against a limit and says whether it may go ahead. The count lives in
 * PostgreSQL, so every gateway replica sees the same total; a refused request still counts
 * (a client hammering through its 429s keeps itself refused until the window ends).
 *
 * Fails closed: when PostgreSQL cannot count, the request is refused with 503 (these
 * limits guard passwords and codes, and an attempt that cannot be counted is not made).
 */
export async function consumeRateLimit(
  db: Kysely<IdentityDatabase>,
  limit: RateLimit,
): Promise<RateLimitVerdict> {
  let count: Awaited<ReturnType<typeof countHit>>;
  try {
    count = await countHit(db, limit.key, limit.windowSeconds);
  } catch (error) {
    const refusal = new DomainError(
      'unavailable',
      'rate-limit-unavailable',
      'attempts cannot be counted right now; try again shortly',
    );
    refusal.cause = error;
    throw refusal;
  }
  return rateLimitVerdict({ ...count, limit: limit.limit });
}
