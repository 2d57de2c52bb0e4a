import { queueMail } from '@countersign/platform';
import type { Transaction } from 'kysely';
import { countCodesSince, replaceCode } from '../db/code-queries.js';
import type { CodePurpose, IdentityDatabase } from '../db/types.js';
import type { Mail } from '../domain/mail-templates.js';
import { codeLifetimeMs, MAX_CODES_PER_HOUR, newCode } from '../domain/one-time-codes.js';

export interface CodeToIssue {
  userId: string;
  purpose: CodePurpose;
  /** The message carrying the code. */
  mail: (code: string) => Mail;
  now: Date;
  /** Invitations are sent by an admin's action, not asked for, so they are not rationed. */
  rationed: boolean;
}

/**
 * Issues a new code of a purpose (older ones stop working) and queues its mail, in the
 * caller's transaction. A rationed code is not issued past five an hour per account;
 * returns whether one was issued.
 */
export async function issueCode(
  trx: Transaction<IdentityDatabase>,
  issue: CodeToIssue,
): Promise<boolean> {
  if (issue.rationed) {
    const hourAgo = new Date(issue.now.getTime() - 3_600_000);
    const issued = await countCodesSince(trx, issue.userId, issue.purpose, hourAgo);
    if (issued >= MAX_CODES_PER_HOUR) return false;
  }
  const { secret, code } = await newCode();
  await replaceCode(trx, {
    userId: issue.userId,
    purpose: issue.purpose,
    secret,
    expiresAt: new Date(issue.now.getTime() + codeLifetimeMs[issue.purpose]),
    now: issue.now,
  });
  await queueMail(trx, issue.mail(code));
  return true;
}
