import type { AcceptedResponse } from '@countersign/contracts';
import { countCodesSince, replaceCode } from '../db/code-queries.js';
import { lockCredentialByEmail } from '../db/credential-queries.js';
import { queueMail } from '../db/mail-queries.js';
import { passwordResetMail } from '../domain/mail-templates.js';
import { codeLifetimeMs, MAX_CODES_PER_HOUR, newCode } from '../domain/one-time-codes.js';
import type { RegistrationDeps } from './register-company.js';

/**
 * E-mails a reset code to an active, verified account. The answer never says whether the
 * address has one; at most five codes an hour per account are sent.
 */
export async function requestPasswordReset(
  deps: RegistrationDeps,
  email: string,
): Promise<AcceptedResponse> {
  const { secret, code } = await newCode();
  const now = deps.now();
  await deps.db.transaction().execute(async (trx) => {
    const credential = await lockCredentialByEmail(trx, email);
    if (!credential?.active || !credential.email_verified_at) return;
    const hourAgo = new Date(now.getTime() - 3_600_000);
    if (
      (await countCodesSince(trx, credential.user_id, 'reset_password', hourAgo)) >=
      MAX_CODES_PER_HOUR
    )
      return;
    await replaceCode(trx, {
      userId: credential.user_id,
      purpose: 'reset_password',
      secret,
      expiresAt: new Date(now.getTime() + codeLifetimeMs.reset_password),
      now,
    });
    await queueMail(trx, passwordResetMail(credential.email, credential.name, code));
  });
  deps.mailQueued();
  return {
    message: `If ${email.toLowerCase()} has an account, a reset code is on its way to it.`,
  };
}
