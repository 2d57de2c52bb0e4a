import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import {
  findKey,
  insertClaim,
  type KeyScope,
  takeOverClaim,
} from '../db/idempotency-key-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import {
  decideKeyUse,
  type FingerprintedRequest,
  type IdempotencyPolicy,
  requestFingerprint,
  type StoredResponse,
} from '../domain/idempotency.js';

export type ClaimOutcome =
  | { outcome: 'claimed'; claimToken: string }
  | { outcome: 'replay'; response: StoredResponse }
  | { outcome: 'mismatch' }
  | { outcome: 'in-flight'; retryAfterSeconds: number };

/** Insert, look, take over: each step can lose a race, and then the next look decides. */
const MAX_ROUNDS = 3;

/**
 * Claims the caller's key for this request, or says what the request gets instead. Works
 * across replicas with no lock held: the insert is atomic, and a take-over is a
 * compare-and-set on the claim it saw.
 */
export async function claimIdempotencyKey(
  db: Kysely<IdentityDatabase>,
  input: { scope: KeyScope; request: FingerprintedRequest; policy: IdempotencyPolicy },
): Promise<ClaimOutcome> {
  const claim = {
    method: input.request.method.toUpperCase(),
    path: input.request.path,
    fingerprint: requestFingerprint(input.request),
    claimToken: randomUUID(),
    leaseSeconds: input.policy.leaseMs / 1000,
  };
  for (let round = 0; round < MAX_ROUNDS; round += 1) {
    if (await insertClaim(db, input.scope, claim)) {
      return { outcome: 'claimed', claimToken: claim.claimToken };
    }
    const seen = await findKey(db, input.scope);
    // Released or pruned since the insert: insert again.
    if (!seen) continue;
    const decision = decideKeyUse(seen.record, claim.fingerprint, seen.now, input.policy);
    if (decision.outcome !== 'run') return decision;
    if (await takeOverClaim(db, input.scope, seen.claimToken, claim)) {
      return { outcome: 'claimed', claimToken: claim.claimToken };
    }
  }
  // Still racing after every round: another request is busy with this key right now.
  return { outcome: 'in-flight', retryAfterSeconds: 1 };
}
