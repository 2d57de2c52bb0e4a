import type { LoginResponse } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import { lockCredentialByEmail, setPassword } from '../db/credential-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import type { CodeCheck } from '../domain/one-time-codes.js';
import { hashPassword } from '../domain/password-hashing.js';
import { authEntry, recordAudit } from '../outbox/audit.js';
import { codeRefusal, guessCode } from './guess-code.js';
import { type SessionDeps, startSession } from './start-session.js';

export interface AcceptInvitationInput {
  email: string;
  invitation_code: string;
  password: string;
}

/**
 * An invited person chooses their password with the code from their invitation. The code
 * came by e-mail, so the address counts as verified; they are signed in at once.
 */
export async function acceptInvitation(
  deps: SessionDeps & { db: Kysely<IdentityDatabase> },
  input: AcceptInvitationInput,
): Promise<LoginResponse> {
  const passwordHash = await hashPassword(input.password);
  const now = deps.now();
  const result = await deps.db.transaction().execute(async (trx): Promise<Outcome> => {
    const credential = await lockCredentialByEmail(trx, input.email);
    if (!credential?.active || credential.password_hash) return { refused: 'wrong' };
    const outcome = await guessCode(
      trx,
      credential.user_id,
      'invitation',
      input.invitation_code,
      now,
    );
    if (outcome !== 'valid') {
      await recordAudit(trx, authEntry(credential, 'auth.invitation_failed', { reason: outcome }));
      return { refused: outcome };
    }
    await setPassword(trx, credential.user_id, passwordHash, now);
    const session = await startSession(trx, deps, credential);
    await recordAudit(trx, authEntry(credential, 'auth.invitation_accepted'));
    return { session };
  });
  if ('refused' in result) throw codeRefusal();
  return result.session;
}

type Outcome = { refused: Exclude<CodeCheck, 'valid'> } | { session: LoginResponse };
