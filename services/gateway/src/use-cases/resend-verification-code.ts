import type { AcceptedResponse } from '@countersign/contracts';
import { countCodesSince, replaceCode } from '../db/code-queries.js';
import { lockCredentialByEmail } from '../db/credential-queries.js';
import { queueMail } from '../db/mail-queries.js';
import { verificationMail } from '../domain/mail-templates.js';
import { codeLifetimeMs, MAX_CODES_PER_HOUR, newCode } from '../domain/one-time-codes.js';
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
  const { secret, code } = await newCode();
  const now = deps.now();
  await deps.db.transaction().execute(async (trx) => {
    const credential = await lockCredentialByEmail(trx, email);
    if (!credential?.active || credential.email_verified_at || !credential.password_hash) return;
    const hourAgo = new Date(now.getTime() - 3_600_000);
    if (
      (await countCodesSince(trx, credential.user_id, 'verify_email', hourAgo)) >=
      MAX_CODES_PER_HOUR
    )
      return;
    await replaceCode(trx, {
      userId: credential.user_id,
      purpose: 'verify_email',
      secret,
      expiresAt: new Date(now.getTime() + codeLifetimeMs.verify_email),
      now,
    });
    await queueMail(trx, verificationMail(credential.email, credential.name, code));
  });
  deps.mailQueued();
  return { message: `If ${email.toLowerCase()} awaits verification, a new code is on its way.` };
}
