import type { AcceptedResponse } from '@countersign/contracts';
import { lockCredentialByEmail } from '../db/credential-queries.js';
import { passwordResetMail } from '../domain/mail-templates.js';
import { authEntry, recordAudit } from '../outbox/audit.js';
import { issueCode } from './issue-code.js';
import type { RegistrationDeps } from './register-company.js';

/**
 * E-mails a reset code to an active, verified account. The answer never says whether the
 * address has one; at most five codes an hour per account are sent.
 */
export async function requestPasswordReset(
  deps: RegistrationDeps,
  email: string,
): Promise<AcceptedResponse> {
  await deps.db.transaction().execute(async (trx) => {
    const credential = await lockCredentialByEmail(trx, email);
    if (!credential?.active || !credential.email_verified_at) return;
    await issueCode(trx, {
      userId: credential.user_id,
      purpose: 'reset_password',
      mail: (code) => passwordResetMail(credential.email, credential.name, code),
      now: deps.now(),
      rationed: true,
    });
    await recordAudit(trx, authEntry(credential, 'auth.password_reset_requested'));
  });
  deps.mailQueued();
  return {
    message: `If ${email.toLowerCase()} has an account, a reset code is on its way to it.`,
  };
}
