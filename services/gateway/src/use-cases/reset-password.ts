import type { ResetPasswordRequest } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import {
  findCredentialByEmail,
  lockCredentialByEmail,
  setPassword,
} from '../db/credential-queries.js';
import { revokeAllOfUser } from '../db/refresh-token-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import type { PasswordHasher } from '../domain/password-hashing.js';
import { authEntry, recordAudit } from '../outbox/audit.js';
import { codeRefusal, codeWouldPass, guessCode } from './guess-code.js';

/**
 * Sets a new password with an e-mailed reset code; every session of the account ends.
 * The code is checked first: only a request holding a valid code pays for hashing the new
 * password, and a wrong code costs the same work whether or not the address has an account
 * (no hash either way, the same queries and code comparison).
 */
export async function resetPassword(
  deps: { db: Kysely<IdentityDatabase>; now: () => Date; passwords: PasswordHasher },
  request: ResetPasswordRequest,
): Promise<void> {
  const now = deps.now();
  const holder = await findCredentialByEmail(deps.db, request.email);
  const resettable = holder?.active && holder.email_verified_at ? holder : undefined;
  const worthHashing = await codeWouldPass(
    deps.db,
    resettable?.user_id,
    'reset_password',
    request.code,
    now,
  );
  const passwordHash = worthHashing ? await deps.passwords.hash(request.new_password) : undefined;
  const outcome = await deps.db.transaction().execute(async (trx) => {
    const locked = await lockCredentialByEmail(trx, request.email);
    const credential = locked?.active && locked.email_verified_at ? locked : undefined;
    const checked = await guessCode(
      trx,
      credential?.user_id,
      'reset_password',
      request.code,
      now,
      passwordHash !== undefined,
    );
    if (!credential) return checked;
    if (checked !== 'valid' || !passwordHash) {
      await recordAudit(
        trx,
        authEntry(credential, 'auth.password_reset_failed', { reason: checked }),
      );
      return checked;
    }
    await setPassword(trx, credential.user_id, passwordHash, null);
    await revokeAllOfUser(trx, credential.user_id, now);
    await recordAudit(trx, authEntry(credential, 'auth.password_reset'));
    return checked;
  });
  if (outcome !== 'valid') throw codeRefusal();
}
