import type { LoginRequest, LoginResponse } from '@countersign/contracts';
import { DomainError, UnauthorizedError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { findCredentialByEmail } from '../db/credential-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import { hashPassword, verifyPassword } from '../domain/password-hashing.js';
import { authEntry, recordAudit } from '../outbox/audit.js';
import { type SessionDeps, startSession } from './start-session.js';

export interface LogInDeps extends SessionDeps {
  db: Kysely<IdentityDatabase>;
}

// Verified against when the email is unknown, so both failures take the same time.
const decoyHash = hashPassword('countersign-decoy-password');

/** Exchanges an email and password for an access token and a refresh token. */
export async function logIn(deps: LogInDeps, request: LoginRequest): Promise<LoginResponse> {
  const credential = await findCredentialByEmail(deps.db, request.email);
  const passwordOk = await verifyPassword(
    credential?.password_hash ?? (await decoyHash),
    request.password,
  );
  if (!credential?.password_hash || !passwordOk || !credential.active) {
    // An unknown address has no company whose trail could hold the attempt.
    if (credential)
      await recordFailure(deps.db, credential, passwordOk ? 'inactive' : 'wrong_password');
    throw new UnauthorizedError('the email or password is wrong');
  }
  // Only the holder of the password learns this, so it reveals nothing to a stranger.
  if (!credential.email_verified_at) {
    await recordFailure(deps.db, credential, 'email_not_verified');
    throw new DomainError(
      'forbidden',
      'email-not-verified',
      'verify your e-mail address first with the code we sent (/api/auth/verify-email), or ask for a new one (/api/auth/resend-code)',
      { title: 'E-mail not verified' },
    );
  }
  return deps.db.transaction().execute(async (trx) => {
    const session = await startSession(trx, deps, credential);
    await recordAudit(trx, authEntry(credential, 'auth.logged_in'));
    return session;
  });
}

function recordFailure(
  db: Kysely<IdentityDatabase>,
  credential: { user_id: string; company_id: string; role: string },
  reason: string,
) {
  return db
    .transaction()
    .execute((trx) => recordAudit(trx, authEntry(credential, 'auth.login_failed', { reason })));
}
