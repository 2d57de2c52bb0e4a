import { type Kysely, sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { IdentityDatabase } from '../db/types.js';
import { generateSigningKey, KeyRing } from '../domain/key-ring.js';

/**
 * Loads the signing keys, creating the first one if there is none. An advisory lock makes
 * replicas that start together agree on one key instead of each minting its own.
 */
export async function loadKeyRing(db: Kysely<IdentityDatabase>): Promise<KeyRing> {
  const keys = await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext('identity.signing_key'))`.execute(trx);
    const existing = await trx
      .selectFrom('signing_key')
      .selectAll()
      .orderBy('created_at', 'desc')
      .execute();
    if (existing.length > 0) return existing;
    const fresh = await generateSigningKey(uuidv7());
    await trx
      .insertInto('signing_key')
      .values({
        kid: fresh.kid,
        private_jwk: JSON.stringify(fresh.privateJwk),
        public_jwk: JSON.stringify(fresh.publicJwk),
      })
      .execute();
    return trx.selectFrom('signing_key').selectAll().orderBy('created_at', 'desc').execute();
  });
  return KeyRing.load(
    keys.map((k) => ({ kid: k.kid, privateJwk: k.private_jwk, publicJwk: k.public_jwk })),
  );
}
