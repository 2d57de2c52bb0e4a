import type { Kysely } from 'kysely';
import { deleteEndedWindows } from '../db/rate-limit-queries.js';
import type { IdentityDatabase } from '../db/types.js';

/** Deletes rate-limit windows that have ended; safe for several replicas to run at once. */
export async function pruneRateLimitWindows(db: Kysely<IdentityDatabase>): Promise<number> {
  return deleteEndedWindows(db);
}
