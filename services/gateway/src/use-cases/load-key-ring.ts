import type { Kysely } from 'kysely';
import { selectSigningKeys } from '../db/signing-key-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import { KeyRing } from '../domain/key-ring.js';
import { rotateSigningKey } from './rotate-signing-key.js';

/**
 * Loads the signing keys, creating the first one if there is none. The rotation's
 * advisory lock makes replicas that start together agree on one key instead of each
 * minting its own.
 */
export async function loadKeyRing(
  db: Kysely<IdentityDatabase>,
  now: () => Date = () => new Date(),
): Promise<KeyRing> {
  let keys = await selectSigningKeys(db);
  if (keys.length === 0) {
    // No key at all: the rules add one that signs at once; a replica that got there first wins.
    await rotateSigningKey(db, {
      now,
      policy: { maxAgeMs: Number.POSITIVE_INFINITY, publishLeadMs: 0, tokenLifetimeMs: 0 },
      mode: 'scheduled',
    });
    keys = await selectSigningKeys(db);
  }
  return KeyRing.load(keys, now);
}
