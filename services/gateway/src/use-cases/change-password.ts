import type { AccessClaims, ChangePasswordRequest } from '@countersign/contracts';
import { DomainError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { findCredentialById, setPassword } from '../db/credential-queries.js';
import { revokeAllOfUser } from '../db/refresh-token-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import type { PasswordHasher } from '../domain/password-hashing.js';
import { authEntry, recordAudit } from '../outbox/audit.js';

/** Changes the caller's password after checking the current one; other sessions end. */
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
    await revokeAllOfUser(trx, credential.user_id, deps.now());
    await recordAudit(trx, authEntry(credential, 'auth.password_changed'));
  });
}
