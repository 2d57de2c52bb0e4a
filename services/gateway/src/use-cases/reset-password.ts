import type { ResetPasswordRequest } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import { lockCredentialByEmail, setPassword } from '../db/credential-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import { hashPassword } from '../domain/password-hashing.js';
import { authEntry, recordAudit } from '../outbox/audit.js';
import { codeRefusal, guessCode } from './guess-code.js';
import { revokeAccess } from './revoke-access.js';

/** Sets a new password with an e-mailed reset code; every session of the account ends. */
export async function resetPassword(
  deps: { db: Kysely<IdentityDatabase>; now: () => Date },
  request: ResetPasswordRequest,
): Promise<void> {
  const passwordHash = await hashPassword(request.new_password);
  const now = deps.now();
  const outcome = await deps.db.transaction().execute(async (trx) => {
    const credential = await lockCredentialByEmail(trx, request.email);
    if (!credential?.active || !credential.email_verified_at) return 'wrong' as const;
    const checked = await guessCode(trx, credential.user_id, 'reset_password', request.code, now);
    if (checked !== 'valid') {
      await recordAudit(
        trx,
        authEntry(credential, 'auth.password_reset_failed', { reason: checked }),
      );
      return checked;
    }
    await setPassword(trx, credential.user_id, passwordHash, null);
    await recordAudit(trx, authEntry(credential, 'auth.password_reset'));
    await revokeAccess(
      trx,
      {
        companyId: credential.company_id,
        userId: credential.user_id,
        reason: 'password_reset',
        actor: { kind: 'user', id: credential.user_id },
        endSessions: true,
      },
      deps.now,
    );
    return checked;
  });
  if (outcome !== 'valid') throw codeRefusal();
}
