import type { Kysely } from 'kysely';
import { selectSigningKeys } from '../db/signing-key-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import type { KeyRing } from '../domain/key-ring.js';
import type { KekSet } from '../domain/key-sealing.js';

/** Swaps in the keys the database holds now, so every replica signs and publishes alike. */
export async function refreshKeyRing(
  db: Kysely<IdentityDatabase>,
  ring: KeyRing,
  keks: KekSet,
): Promise<void> {
  const keys = await selectSigningKeys(db, keks);
  if (keys.length > 0) await ring.replace(keys);
}
