import type { Kysely } from 'kysely';
import { findCredentialById } from '../db/credential-queries.js';
import { lockRefreshToken, revokeFamily } from '../db/refresh-token-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import { hashRefreshToken } from '../domain/refresh-tokens.js';
import { authEntry, recordAudit } from '../outbox/audit.js';

/**
 * Ends a sign-in: the refresh token's whole family is revoked. Access tokens already issued
 * stay valid until they expire (15 minutes by default); they are self-contained. An unknown
 * token is not an error: the session is over either way.
 */
export async function logOut(
  deps: { db: Kysely<IdentityDatabase>; now: () => Date },
  refreshToken: string,
): Promise<void> {
  await deps.db.transaction().execute(async (trx) => {
    const token = await lockRefreshToken(trx, hashRefreshToken(refreshToken));
    if (!token) return;
    await revokeFamily(trx, token.family_id, deps.now());
    const credential = await findCredentialById(trx, token.user_id);
    if (credential) await recordAudit(trx, authEntry(credential, 'auth.logged_out'));
  });
}
