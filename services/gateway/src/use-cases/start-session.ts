import type { LoginResponse } from '@countersign/contracts';
import { UnauthorizedError } from '@countersign/platform';
import type { Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { lockAccessShared } from '../db/access-lock-queries.js';
import { type Credential, findCredentialById } from '../db/credential-queries.js';
import { insertRefreshToken } from '../db/refresh-token-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import type { KeyRing } from '../domain/key-ring.js';
import { newRefreshToken } from '../domain/refresh-tokens.js';

export interface SessionDeps {
  keys: KeyRing;
  issuer: string;
  audience: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  now: () => Date;
}

/**
 * Issues an access token and a refresh token. A refresh token belongs to a family (one
 * sign-in); rotating it keeps the family, so reuse of a spent token can revoke them all.
 */
export async function startSession(
  trx: Transaction<IdentityDatabase>,
  deps: SessionDeps,
  credential: Pick<Credential, 'user_id' | 'company_id' | 'role' | 'name' | 'email'>,
  familyId: string = uuidv7(),
): Promise<LoginResponse> {
  // Ordered against revocations (see lockAccessShared): the claims are read, and the token
  // signed, only while no revocation of this person is under way.
  await lockAccessShared(trx, credential.user_id);
  const current = await findCredentialById(trx, credential.user_id);
  if (!current?.active) throw new UnauthorizedError('the account is no longer active');
  const refresh = newRefreshToken();
  await insertRefreshToken(trx, {
    id: uuidv7(),
    familyId,
    userId: credential.user_id,
    hash: refresh.hash,
    expiresAt: new Date(deps.now().getTime() + deps.refreshTtlSeconds * 1000),
  });
  const accessToken = await deps.keys.sign(
    {
      sub: current.user_id,
      company_id: current.company_id,
      role: current.role,
      name: current.name,
      email: current.email,
    },
    { issuer: deps.issuer, audience: deps.audience, ttlSeconds: deps.accessTtlSeconds },
  );
  return {
    access_token: accessToken,
    token_type: 'Bearer',
    expires_in: deps.accessTtlSeconds,
    refresh_token: refresh.token,
    refresh_expires_in: deps.refreshTtlSeconds,
  };
}
