import type { LoginResponse } from '@countersign/contracts';
import { UnauthorizedError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { findCredentialById } from '../db/credential-queries.js';
import { lockRefreshToken, markRotated, revokeFamily } from '../db/refresh-token-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import { hashRefreshToken } from '../domain/refresh-tokens.js';
import { authEntry, recordAudit } from '../outbox/audit.js';
import { type SessionDeps, startSession } from './start-session.js';

const refusals = {
  unknown: 'the refresh token is not one this service issued',
  expired: 'the refresh token has expired; sign in again',
  revoked: 'the refresh token was revoked; sign in again',
  reused:
    'the refresh token was already used; as a precaution every token of this sign-in is now revoked',
  inactive: 'the account is no longer active',
} as const;

/**
 * Exchanges a refresh token for a new pair (rotation). A token is good once: presenting a
 * spent one means it was copied, so the whole family (every token descended from that
 * sign-in) is revoked. The new access token carries the account's current role and name.
 */
export async function refreshSession(
  deps: SessionDeps & { db: Kysely<IdentityDatabase> },
  refreshToken: string,
): Promise<LoginResponse> {
  const now = deps.now();
  const result = await deps.db.transaction().execute(async (trx): Promise<Outcome> => {
    const token = await lockRefreshToken(trx, hashRefreshToken(refreshToken));
    if (!token) return { refused: 'unknown' };
    if (token.revoked_at) return { refused: 'revoked' };
    if (token.rotated_at) {
      await revokeFamily(trx, token.family_id, now);
      const owner = await findCredentialById(trx, token.user_id);
      if (owner) await recordAudit(trx, authEntry(owner, 'auth.refresh_token_reused'));
      return { refused: 'reused' };
    }
    if (token.expires_at.getTime() <= now.getTime()) return { refused: 'expired' };
    const credential = await findCredentialById(trx, token.user_id);
    if (!credential?.active) {
      await revokeFamily(trx, token.family_id, now);
      return { refused: 'inactive' };
    }
    await markRotated(trx, token.id, now);
    const session = await startSession(trx, deps, credential, token.family_id);
    await recordAudit(trx, authEntry(credential, 'auth.session_refreshed'));
    return { session };
  });
  if ('refused' in result) throw new UnauthorizedError(refusals[result.refused]);
  return result.session;
}

type Outcome = { refused: keyof typeof refusals } | { session: LoginResponse };
