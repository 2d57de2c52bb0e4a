import { DomainError } from '@countersign/platform';
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
  /** Whatever else the attempt had to prove (a password) checked out; if not, the guess is wrong. */
  otherProof = true,
): Promise<CodeCheck> {
  const stored = await lockNewestCode(trx, userId, purpose);
  if (!stored) return 'wrong';
  const checked = await checkCode(
    {
      secret: stored.secret,
      attempts: stored.attempts,
      expiresAt: stored.expires_at,
      consumedAt: stored.consumed_at,
    },
    guess,
    now,
  );
  const outcome = checked === 'valid' && !otherProof ? 'wrong' : checked;
  if (outcome === 'valid' || outcome === 'wrong') {
    await recordGuess(trx, stored.id, {
      counted: outcome === 'wrong',
      consumedAt: outcome === 'valid' ? now : null,
    });
  }
  return outcome;
}

/**
 * The refusal for a code that did not check out. Every cause gets the same answer (a
 * wrong, spent, expired or exhausted code, an unknown address), so the answer cannot
 * tell which addresses have a code out.
 */
export function codeRefusal(): DomainError {
  return new DomainError(
    'invalid',
    'invalid-code',
    'the e-mail address, code (and password, where asked) do not match a valid code; codes expire after 10 minutes, work once, and stop working after 5 wrong tries: ask for a new one',
    { title: 'Invalid code' },
  );
}
