import type { LoginRequest, LoginResponse } from '@countersign/contracts';
import { DomainError, TooManyRequestsError, UnauthorizedError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { findCredentialByEmail } from '../db/credential-queries.js';
import { countHit, giveBackHit, type WindowCount } from '../db/rate-limit-queries.js';
import { isKnownSignInAddress, rememberSignInAddress } from '../db/sign-in-address-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import type { PasswordHasher } from '../domain/password-hashing.js';
import {
  REMEMBERED_SIGN_IN_ADDRESSES,
  SIGN_IN_ADDRESS_RETENTION_MS,
  signInLocked,
} from '../domain/sign-in-lockout.js';
import { authEntry, recordAudit } from '../outbox/audit.js';
import { type SessionDeps, startSession } from './start-session.js';

export interface SignInLockout {
  /** Failed password checks allowed per account (and per account and address) per window. */
  maxFailures: number;
  windowSeconds: number;
}

export interface LogInDeps extends SessionDeps {
  db: Kysely<IdentityDatabase>;
  passwords: PasswordHasher;
  lockout: SignInLockout;
}

/**
 * Exchanges an email and password for an access token and a refresh token. Failed
 * password checks count against the account (see domain/sign-in-lockout.ts); the attempt
 * is counted before its check, so concurrent guesses cannot slip past the limit, and given
 * back when the password was right.
 */
export async function logIn(
  deps: LogInDeps,
  request: LoginRequest,
  clientAddress: string,
): Promise<LoginResponse> {
  const email = request.email.toLowerCase();
  const credential = await findCredentialByEmail(deps.db, email);
  const attempt = await countAttempt(deps, email, clientAddress);
  const knownAddress =
    credential !== undefined &&
    (await isKnownSignInAddress(
      deps.db,
      credential.user_id,
      clientAddress,
      new Date(deps.now().getTime() - SIGN_IN_ADDRESS_RETENTION_MS),
    ));
  const failures = {
    account: attempt.account.hits,
    fromAddress: attempt.fromAddress.hits,
    knownAddress,
  };
  if (signInLocked(failures, deps.lockout.maxFailures)) {
    await attempt.giveBack();
    const wait = attempt.account.resetSeconds;
    throw new TooManyRequestsError(
      `too many failed sign-ins for this account; try again in ${wait} s`,
      wait,
    );
  }
  const passwordOk = credential?.password_hash
    ? await deps.passwords.verify(credential.password_hash, request.password)
    : await deps.passwords.verifyDecoy(request.password);
  if (passwordOk) await attempt.giveBack();
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
    await rememberSignInAddress(trx, {
      userId: credential.user_id,
      address: clientAddress,
      now: deps.now(),
      keep: REMEMBERED_SIGN_IN_ADDRESSES,
    });
    await recordAudit(trx, authEntry(credential, 'auth.logged_in'));
    return session;
  });
}

/** Counts a password check against the account and against the account from this address. */
async function countAttempt(deps: LogInDeps, email: string, clientAddress: string) {
  const { db, lockout } = deps;
  const keys = {
    account: `login:failed:${email}`,
    fromAddress: `login:failed:${email}:from:${clientAddress}`,
  };
  const account = await countHit(db, keys.account, lockout.windowSeconds);
  const fromAddress = await countHit(db, keys.fromAddress, lockout.windowSeconds);
  const giveBack = async () => {
    const back = (key: string, counted: WindowCount) =>
      giveBackHit(db, key, lockout.windowSeconds, counted.windowStart);
    await back(keys.account, account);
    await back(keys.fromAddress, fromAddress);
  };
  return { account, fromAddress, giveBack };
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
