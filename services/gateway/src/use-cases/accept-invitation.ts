import type { LoginResponse } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import {
  findCredentialByEmail,
  lockCredentialByEmail,
  setPassword,
} from '../db/credential-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import type { CodeCheck } from '../domain/one-time-codes.js';
import type { PasswordHasher } from '../domain/password-hashing.js';
import { authEntry, recordAudit } from '../outbox/audit.js';
import { codeRefusal, codeWouldPass, guessCode } from './guess-code.js';
import { type SessionDeps, startSession } from './start-session.js';

export interface AcceptInvitationInput {
  email: string;
  invitation_code: string;
  password: string;
}

/**
 * An invited person chooses their password with the code from their invitation. The code
 * came by e-mail, so the address counts as verified; they are signed in at once. The code
 * is checked before the password is hashed, so a wrong code never costs a hash.
 */
export async function acceptInvitation(
  deps: SessionDeps & { db: Kysely<IdentityDatabase>; passwords: PasswordHasher },
  input: AcceptInvitationInput,
): Promise<LoginResponse> {
  const now = deps.now();
  const holder = await findCredentialByEmail(deps.db, input.email);
  const invitee = holder?.active && !holder.password_hash ? holder : undefined;
  const worthHashing = await codeWouldPass(
    deps.db,
    invitee?.user_id,
    'invitation',
    input.invitation_code,
    now,
  );
  const passwordHash = worthHashing ? await deps.passwords.hash(input.password) : undefined;
  const result = await deps.db.transaction().execute(async (trx): Promise<Outcome> => {
    const locked = await lockCredentialByEmail(trx, input.email);
    const credential = locked?.active && !locked.password_hash ? locked : undefined;
    const outcome = await guessCode(
      trx,
      credential?.user_id,
      'invitation',
      input.invitation_code,
      now,
      passwordHash !== undefined,
    );
    if (!credential) return { refused: outcome === 'valid' ? 'wrong' : outcome };
    if (outcome !== 'valid' || !passwordHash) {
      await recordAudit(trx, authEntry(credential, 'auth.invitation_failed', { reason: outcome }));
      return { refused: outcome === 'valid' ? 'wrong' : outcome };
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
