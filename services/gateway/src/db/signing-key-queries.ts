import type { JWK } from 'jose';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { StoredKey } from '../domain/key-ring.js';
import { type Kek, type KekSet, sealPrivateKey, unsealPrivateKey } from '../domain/key-sealing.js';
import type { IdentityDatabase } from './types.js';

/** Serialises key changes across replicas; held until the transaction ends. */
export async function lockSigningKeys(trx: Transaction<IdentityDatabase>): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('identity.signing_key'))`.execute(trx);
}

/** The keys, opened with the KEKs; a row still in plaintext (before sealing) is taken as is. */
export async function selectSigningKeys(
  db: Kysely<IdentityDatabase> | Transaction<IdentityDatabase>,
  keks: KekSet,
): Promise<StoredKey[]> {
  const rows = await db
    .selectFrom('signing_key')
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('kid', 'desc')
    .execute();
  return rows.map((row) => ({
    kid: row.kid,
    createdAt: row.created_at,
    activatesAt: row.activates_at,
    privateJwk:
      row.sealed_private_key !== null && row.kek_id !== null
        ? unsealPrivateKey(row.sealed_private_key, row.kid, row.kek_id, keks)
        : (row.private_jwk as JWK),
    publicJwk: row.public_jwk,
  }));
}

export async function insertSigningKey(
  trx: Transaction<IdentityDatabase>,
  key: StoredKey,
  kek: Kek,
): Promise<void> {
  await trx
    .insertInto('signing_key')
    .values({
      kid: key.kid,
      sealed_private_key: sealPrivateKey(key.privateJwk, key.kid, kek),
      kek_id: kek.id,
      public_jwk: JSON.stringify(key.publicJwk),
      created_at: key.createdAt,
      activates_at: key.activatesAt,
    })
    .execute();
}

/** Retired keys are deleted, private halves included: nothing may sign or verify with them. */
export async function deleteSigningKeys(
  trx: Transaction<IdentityDatabase>,
  kids: string[],
): Promise<void> {
  if (kids.length === 0) return;
  await trx.deleteFrom('signing_key').where('kid', 'in', kids).execute();
}

/** Kids of the rows not sealed with `kek`: in plaintext, or under an older KEK. */
export async function selectUnsealedKids(
  trx: Transaction<IdentityDatabase>,
  kek: Kek,
): Promise<string[]> {
  const rows = await trx
    .selectFrom('signing_key')
    .select('kid')
    .where((eb) => eb.or([eb('kek_id', 'is', null), eb('kek_id', '!=', kek.id)]))
    .execute();
  return rows.map((row) => row.kid);
}

/** Replaces a row's private half by its sealed form, clearing any plaintext. */
export async function updateSealedKey(
  trx: Transaction<IdentityDatabase>,
  kid: string,
  privateJwk: JWK,
  kek: Kek,
): Promise<void> {
  await trx
    .updateTable('signing_key')
    .set({
      sealed_private_key: sealPrivateKey(privateJwk, kid, kek),
      kek_id: kek.id,
      private_jwk: null,
    })
    .where('kid', '=', kid)
    .execute();
}
