import type { Kysely } from 'kysely';
import {
  lockSigningKeys,
  selectSigningKeys,
  selectUnsealedKids,
  updateSealedKey,
} from '../db/signing-key-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import type { KekSet } from '../domain/key-sealing.js';

/**
 * Seals every signing key with the current KEK: rows written in plaintext by an earlier
 * version, and rows sealed with a previous KEK (a KEK rotation). Run at start, under the
 * keys' lock, so replicas starting together reseal once. A key no given KEK opens stops
 * the start (KekError) rather than being replaced.
 */
export async function sealSigningKeys(
  db: Kysely<IdentityDatabase>,
  keks: KekSet,
): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    await lockSigningKeys(trx);
    const kids = new Set(await selectUnsealedKids(trx, keks.current));
    if (kids.size === 0) return [];
    for (const key of await selectSigningKeys(trx, keks)) {
      if (kids.has(key.kid)) await updateSealedKey(trx, key.kid, key.privateJwk, keks.current);
    }
    return [...kids];
  });
}
