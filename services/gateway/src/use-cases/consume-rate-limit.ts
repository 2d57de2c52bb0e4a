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
 */
export async function consumeRateLimit(
  db: Kysely<IdentityDatabase>,
  limit: RateLimit,
): Promise<RateLimitVerdict> {
  const count = await countHit(db, limit.key, limit.windowSeconds);
  return rateLimitVerdict({ ...count, limit: limit.limit });
}
