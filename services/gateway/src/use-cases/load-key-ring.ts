import type { Kysely } from 'kysely';
import { selectSigningKeys } from '../db/signing-key-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import { KeyRing } from '../domain/key-ring.js';
import type { KekSet } from '../domain/key-sealing.js';
import { rotateSigningKey } from './rotate-signing-key.js';
import { sealSigningKeys } from './seal-signing-keys.js';

/**
 * Seals keys not yet sealed with the current KEK, then loads the signing keys, creating the first one if there is none. The rotation's
 * advisory lock makes replicas that start together agree on one key instead of each
 * minting its own.
 */
export async function loadKeyRing(
  db: Kysely<IdentityDatabase>,
  keks: KekSet,
  now: () => Date = () => new Date(),
): Promise<KeyRing> {
  await sealSigningKeys(db, keks);
  let keys = await selectSigningKeys(db, keks);
  if (keys.length === 0) {
    // No key at all: the rules add one that signs at once; a replica that got there first wins.
    await rotateSigningKey(db, {
      now,
      policy: { maxAgeMs: Number.POSITIVE_INFINITY, publishLeadMs: 0, tokenLifetimeMs: 0 },
      mode: 'scheduled',
      keks,
    });
    keys = await selectSigningKeys(db, keks);
  }
  return KeyRing.load(keys, now);
}
