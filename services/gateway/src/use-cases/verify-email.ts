import type { LoginResponse, VerifyEmailRequest } from '@countersign/contracts';
import { newEvent } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { lockCredentialByEmail } from '../db/credential-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import type { CodeCheck } from '../domain/one-time-codes.js';
import { verifyPassword } from '../domain/password-hashing.js';
import { authEntry, recordAudit } from '../outbox/audit.js';
import { enqueue } from '../outbox/enqueue.js';
import { codeRefusal, guessCode } from './guess-code.js';
import { type SessionDeps, startSession } from './start-session.js';

export interface VerifyEmailDeps extends SessionDeps {
  db: Kysely<IdentityDatabase>;
}

/**
 * Proves the address with the e-mailed code, together with the account's password, and
 * signs the person in. For the first admin of
 * a new company this is the moment the company exists: `CompanyRegistered` is announced in
 * the same transaction, and the approval service builds its directory from it.
 */
export async function verifyEmail(
  deps: VerifyEmailDeps,
  request: VerifyEmailRequest,
): Promise<LoginResponse> {
  const now = deps.now();
  const result = await deps.db.transaction().execute(async (trx): Promise<Outcome> => {
    const credential = await lockCredentialByEmail(trx, request.email);
    if (!credential?.active || credential.email_verified_at || !credential.password_hash) {
      return { refused: 'wrong' };
    }
    // The code proves the mailbox, the password proves who registered: a stranger who
    // re-registered the address cannot have its owner verify the stranger's password.
    const passwordOk = await verifyPassword(credential.password_hash, request.password);
    const outcome = await guessCode(
      trx,
      credential.user_id,
      'verify_email',
      request.code,
      now,
      passwordOk,
    );
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

type Outcome = { refused: Exclude<CodeCheck, 'valid'> } | { session: LoginResponse };
