import { AppError } from '@countersign/platform';
import type { Transaction } from 'kysely';
import { lockNewestCode, recordGuess } from '../db/code-queries.js';
import type { CodePurpose, IdentityDatabase } from '../db/types.js';
import { type CodeCheck, checkCode } from '../domain/one-time-codes.js';

/**
 * Checks a guess against the account's newest code of a purpose and records it: a wrong
 * guess counts toward the limit, a right one spends the code. The caller's transaction
 * must commit either way, so the count survives a refusal; refuse with `codeRefusal`
 * after it commits.
 */
export async function guessCode(
  trx: Transaction<IdentityDatabase>,
  userId: string,
  purpose: CodePurpose,
  guess: string,
  now: Date,
): Promise<CodeCheck> {
  const stored = await lockNewestCode(trx, userId, purpose);
  if (!stored) return 'wrong';
  const outcome = await checkCode(
    {
      secret: stored.secret,
      attempts: stored.attempts,
      expiresAt: stored.expires_at,
      consumedAt: stored.consumed_at,
    },
    guess,
    now,
  );
  if (outcome === 'valid' || outcome === 'wrong') {
    await recordGuess(trx, stored.id, {
      counted: outcome === 'wrong',
      consumedAt: outcome === 'valid' ? now : null,
    });
  }
  return outcome;
}

/** The refusal for a code that did not check out; an unknown address answers like a wrong code. */
export function codeRefusal(outcome: Exclude<CodeCheck, 'valid'>): AppError {
  if (outcome === 'locked') {
    return new AppError(
      400,
      'code-locked',
      'Too many wrong codes',
      'this code has had too many wrong tries and no longer works; ask for a new one',
    );
  }
  return new AppError(
    400,
    'invalid-code',
    'Invalid code',
    'the e-mail address and code do not match a valid code; codes expire after 10 minutes and work once',
  );
}
