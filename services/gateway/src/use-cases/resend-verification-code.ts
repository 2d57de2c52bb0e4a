import type { AcceptedResponse } from '@countersign/contracts';
import { lockCredentialByEmail } from '../db/credential-queries.js';
import { verificationMail } from '../domain/mail-templates.js';
import { authEntry, recordAudit } from '../outbox/audit.js';
import { issueCode } from './issue-code.js';
import type { RegistrationDeps } from './register-company.js';

/**
 * Sends a new verification code to an unverified account (the old one stops working). At
 * most five codes an hour per account; past that, and for addresses without such an
 * account, nothing is sent, but the answer is the same, so it reveals no account.
 */
export async function resendVerificationCode(
  deps: RegistrationDeps,
  email: string,
): Promise<AcceptedResponse> {
  await deps.db.transaction().execute(async (trx) => {
    const credential = await lockCredentialByEmail(trx, email);
    if (!credential?.active || credential.email_verified_at || !credential.password_hash) return;
    await issueCode(trx, {
      userId: credential.user_id,
      purpose: 'verify_email',
      mail: (code) => verificationMail(credential.email, credential.name, code),
      now: deps.now(),
      rationed: true,
    });
    await recordAudit(trx, authEntry(credential, 'auth.verification_code_sent'));
  });
  deps.mailQueued();
  return { message: `If ${email.toLowerCase()} awaits verification, a new code is on its way.` };
}
