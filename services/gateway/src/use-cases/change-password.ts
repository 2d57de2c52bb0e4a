import type { AccessClaims, ChangePasswordRequest } from '@countersign/contracts';
import { DomainError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { findCredentialById, setPassword } from '../db/credential-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import type { PasswordHasher } from '../domain/password-hashing.js';
import { authEntry, recordAudit } from '../outbox/audit.js';
import { revokeAccess } from './revoke-access.js';

/** Changes the caller's password after checking the current one; every session ends. */
export async function changePassword(
  deps: { db: Kysely<IdentityDatabase>; now: () => Date; passwords: PasswordHasher },
  caller: AccessClaims,
  request: ChangePasswordRequest,
): Promise<void> {
  const credential = await findCredentialById(deps.db, caller.sub);
  const currentOk =
    credential?.password_hash !== undefined &&
    credential.password_hash !== null &&
    (await deps.passwords.verify(credential.password_hash, request.current_password));
  if (!credential || !currentOk) {
    throw new DomainError('forbidden', 'wrong-password', 'the current password is wrong', {
      title: 'Wrong password',
    });
  }
  const passwordHash = await deps.passwords.hash(request.new_password);
  await deps.db.transaction().execute(async (trx) => {
    await setPassword(trx, credential.user_id, passwordHash, null);
    await recordAudit(trx, authEntry(credential, 'auth.password_changed'));
    // Every sign-in and every access token of the person end, this caller's included.
    await revokeAccess(
      trx,
      {
        companyId: credential.company_id,
        userId: credential.user_id,
        reason: 'password_changed',
        actor: { kind: 'user', id: credential.user_id },
        endSessions: true,
      },
      deps.now,
    );
  });
}
