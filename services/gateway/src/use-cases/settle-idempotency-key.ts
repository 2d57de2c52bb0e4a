import type { Kysely } from 'kysely';
import { type KeyScope, releaseClaim, storeAnswer } from '../db/idempotency-key-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import { isFinalAnswer, type StoredResponse } from '../domain/idempotency.js';

/**
 * After the request under a claimed key has answered: a final answer is stored for
 * replays; any other (a server error, an upstream that did not answer) frees the key so
 * that a retry runs the request again. Returns whether the answer was stored.
 */
export async function settleIdempotencyKey(
  db: Kysely<IdentityDatabase>,
  input: { scope: KeyScope; claimToken: string; response: StoredResponse },
): Promise<boolean> {
  if (isFinalAnswer(input.response.status)) {
    return storeAnswer(db, input.scope, input.claimToken, input.response);
  }
  await releaseClaim(db, input.scope, input.claimToken);
  return false;
}
