import type { Transaction } from 'kysely';
import type { IdentityDatabase } from './types.js';

type Trx = Transaction<IdentityDatabase>;

export async function insertRefreshToken(
  trx: Trx,
  row: { id: string; familyId: string; userId: string; hash: string; expiresAt: Date },
): Promise<void> {
  await trx
    .insertInto('refresh_token')
    .values({
      id: row.id,
      family_id: row.familyId,
      user_id: row.userId,
      token_hash: row.hash,
      expires_at: row.expiresAt,
    })
    .execute();
}

/** Locks the token row, so of two refreshes racing with one token only one rotates it. */
export function lockRefreshToken(trx: Trx, hash: string) {
  return trx
    .selectFrom('refresh_token')
    .selectAll()
    .where('token_hash', '=', hash)
    .forUpdate()
    .executeTakeFirst();
}

export async function markRotated(trx: Trx, id: string, at: Date): Promise<void> {
  await trx.updateTable('refresh_token').set({ rotated_at: at }).where('id', '=', id).execute();
}

export async function revokeFamily(trx: Trx, familyId: string, at: Date): Promise<void> {
  await trx
    .updateTable('refresh_token')
    .set({ revoked_at: at })
    .where('family_id', '=', familyId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Ends every session of a person (password changed or reset, account deactivated). */
export async function revokeAllOfUser(trx: Trx, userId: string, at: Date): Promise<void> {
  await trx
    .updateTable('refresh_token')
    .set({ revoked_at: at })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
}
