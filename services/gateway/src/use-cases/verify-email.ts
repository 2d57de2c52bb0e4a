import type { LoginResponse, VerifyEmailRequest } from '@countersign/contracts';
import { newEvent } from '@countersign/platform';
import type { Kysely } from 'kysely';
import {
  type Credential,
  findCredentialByEmail,
  lockCredentialByEmail,
} from '../db/credential-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import type { CodeCheck } from '../domain/one-time-codes.js';
import type { PasswordHasher } from '../domain/password-hashing.js';
import { authEntry, recordAudit } from '../outbox/audit.js';
import { enqueue } from '../outbox/enqueue.js';
import { codeRefusal, codeWouldPass, guessCode } from './guess-code.js';
import { type SessionDeps, startSession } from './start-session.js';

export interface VerifyEmailDeps extends SessionDeps {
  db: Kysely<IdentityDatabase>;
  passwords: PasswordHasher;
}

/**
 * Proves the address with the e-mailed code, together with the account's password, and
 * signs the person in. For the first admin of
 * a new company this is the moment the company exists: `CompanyRegistered` is announced in
 * the same transaction, and the approval service builds its directory from it.
 *
 * The code is checked first, recording nothing; the password (argon2) only when the code
 * would pass. A wrong code thus costs the same work whether or not the address has an
 * account awaiting verification: no hash, the same queries and code comparison.
 */
export async function verifyEmail(
  deps: VerifyEmailDeps,
  request: VerifyEmailRequest,
): Promise<LoginResponse> {
  const now = deps.now();
  const holder = awaitingVerification(await findCredentialByEmail(deps.db, request.email));
  const worthChecking = await codeWouldPass(
    deps.db,
    holder?.user_id,
    'verify_email',
    request.code,
    now,
  );
  // The code proves the mailbox, the password proves who registered: a stranger who
  // re-registered the address cannot have its owner verify the stranger's password.
  const checkedHash = worthChecking && holder?.password_hash;
  const passwordOk = checkedHash
    ? await deps.passwords.verify(checkedHash, request.password)
    : false;
  const result = await deps.db.transaction().execute(async (trx): Promise<Outcome> => {
    const credential = awaitingVerification(await lockCredentialByEmail(trx, request.email));
    const outcome = await guessCode(
      trx,
      credential?.user_id,
      'verify_email',
      request.code,
      now,
      // A re-registration in between changed the password: the one checked is not it.
      passwordOk && credential?.password_hash === checkedHash,
    );
    if (!credential) return { refused: 'wrong' };
    if (outcome !== 'valid') {
      await recordAudit(
        trx,
        authEntry(credential, 'auth.email_verification_failed', { reason: outcome }),
      );
      return { refused: outcome };
    }
    await trx
      .updateTable('credential')
      .set({ email_verified_at: now })
      .where('user_id', '=', credential.user_id)
      .execute();
    const registration = await trx
      .deleteFrom('registration')
      .where('user_id', '=', credential.user_id)
      .returningAll()
      .executeTakeFirst();
    if (registration) {
      await enqueue(trx, [
        newEvent('CompanyRegistered', {
          companyId: registration.company_id,
          actor: { kind: 'user', id: credential.user_id },
          subject: registration.company_id,
          data: {
            company_id: registration.company_id,
            company_name: registration.company_name,
            admin: { user_id: credential.user_id, name: credential.name, email: credential.email },
          },
        }),
      ]);
    }
    const session = await startSession(trx, deps, credential);
    await recordAudit(trx, authEntry(credential, 'auth.email_verified'));
    return { session };
  });
  if ('refused' in result) throw codeRefusal();
  return result.session;
}

/** The login, if it waits for its address to be verified. */
function awaitingVerification(credential: Credential | undefined): Credential | undefined {
  if (!credential?.active || credential.email_verified_at || !credential.password_hash) {
    return undefined;
  }
  return credential;
}

type Outcome = { refused: Exclude<CodeCheck, 'valid'> } | { session: LoginResponse };
