import type { Kysely } from 'kysely';
import { deleteExpiredKeys } from '../db/idempotency-key-queries.js';
import type { IdentityDatabase } from '../db/types.js';

const BATCH_SIZE = 1000;

/**
 * Deletes keys past their retention, a batch at a time so no statement holds many row
 * locks; safe for several replicas to run at once. Returns how many went.
 */
export async function pruneIdempotencyKeys(
  db: Kysely<IdentityDatabase>,
  retentionMs: number,
): Promise<number> {
  let pruned = 0;
  for (;;) {
    const deleted = await deleteExpiredKeys(db, retentionMs / 1000, BATCH_SIZE);
    pruned += deleted;
    if (deleted < BATCH_SIZE) return pruned;
  }
}
