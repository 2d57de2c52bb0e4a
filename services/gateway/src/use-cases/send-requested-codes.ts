import type { Kysely, Transaction } from 'kysely';
import { type RequestedCodePurpose, takeCodeRequests } from '../db/code-request-queries.js';
import { lockCredentialByEmail } from '../db/credential-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import { passwordResetMail, verificationMail } from '../domain/mail-templates.js';
import { authEntry, recordAudit } from '../outbox/audit.js';
import { issueCode } from './issue-code.js';

/** Requests taken per transaction. */
export const CODE_REQUEST_BATCH = 50;

/**
 * Issues the codes people asked for (password-reset/request, resend-code), a batch at a
 * time: a reset code to an active, verified account; a verification code to an active
 * account awaiting verification; nothing to any other address. At most five codes an
 * hour per account (issueCode). Returns how many requests were taken; their mail is
 * queued in the same transaction.
 */
export async function sendRequestedCodes(deps: {
  db: Kysely<IdentityDatabase>;
  now: () => Date;
}): Promise<number> {
  return deps.db.transaction().execute(async (trx) => {
    const requests = await takeCodeRequests(trx, CODE_REQUEST_BATCH);
    for (const request of requests) await issueRequested(trx, request, deps.now());
    return requests.length;
  });
}

async function issueRequested(
  trx: Transaction<IdentityDatabase>,
  request: { purpose: RequestedCodePurpose; email: string },
  now: Date,
): Promise<void> {
  const credential = await lockCredentialByEmail(trx, request.email);
  if (!credential?.active) return;
  if (request.purpose === 'reset_password') {
    if (!credential.email_verified_at) return;
    await issueCode(trx, {
      userId: credential.user_id,
      purpose: 'reset_password',
      mail: (code) => passwordResetMail(credential.email, credential.name, code),
      now,
      rationed: true,
    });
    await recordAudit(trx, authEntry(credential, 'auth.password_reset_requested'));
    return;
  }
  if (credential.email_verified_at || !credential.password_hash) return;
  await issueCode(trx, {
    userId: credential.user_id,
    purpose: 'verify_email',
    mail: (code) => verificationMail(credential.email, credential.name, code),
    now,
    rationed: true,
  });
  await recordAudit(trx, authEntry(credential, 'auth.verification_code_sent'));
}
