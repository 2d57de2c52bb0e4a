import type { Kysely, Selectable, Transaction } from 'kysely';
import type { CredentialTable, IdentityDatabase } from './types.js';

type Db = Kysely<IdentityDatabase> | Transaction<IdentityDatabase>;
export type Credential = Selectable<CredentialTable>;

export function findCredentialByEmail(db: Db, email: string): Promise<Credential | undefined> {
  return db
    .selectFrom('credential')
    .selectAll()
    .where('email', '=', email.toLowerCase())
    .executeTakeFirst();
}

/** The same, locked for the rest of the transaction (codes and passwords change under it). */
export function lockCredentialByEmail(
  trx: Transaction<IdentityDatabase>,
  email: string,
): Promise<Credential | undefined> {
  return trx
    .selectFrom('credential')
    .selectAll()
    .where('email', '=', email.toLowerCase())
    .forUpdate()
    .executeTakeFirst();
}

export function findCredentialById(db: Db, userId: string): Promise<Credential | undefined> {
  return db.selectFrom('credential').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

export async function setPassword(
  trx: Transaction<IdentityDatabase>,
  userId: string,
  passwordHash: string,
  verifiedAt: Date | null,
): Promise<void> {
  await trx
    .updateTable('credential')
    .set({
      password_hash: passwordHash,
      ...(verifiedAt ? { email_verified_at: verifiedAt } : {}),
    })
    .where('user_id', '=', userId)
    .execute();
}
