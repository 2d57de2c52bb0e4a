import { type Kysely, sql, type Transaction } from 'kysely';
import type { StoredKey } from '../domain/key-ring.js';
import type { IdentityDatabase } from './types.js';

/** Serialises key changes across replicas; held until the transaction ends. */
export async function lockSigningKeys(trx: Transaction<IdentityDatabase>): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('identity.signing_key'))`.execute(trx);
}

export async function selectSigningKeys(
  db: Kysely<IdentityDatabase> | Transaction<IdentityDatabase>,
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
    privateJwk: row.private_jwk,
    publicJwk: row.public_jwk,
  }));
}

export async function insertSigningKey(
  trx: Transaction<IdentityDatabase>,
  key: StoredKey,
): Promise<void> {
  await trx
    .insertInto('signing_key')
    .values({
      kid: key.kid,
      private_jwk: JSON.stringify(key.privateJwk),
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
