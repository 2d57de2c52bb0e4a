import { DomainError } from '@countersign/platform';
import type { Kysely, Transaction } from 'kysely';
import { findNewestCode, lockNewestCode, recordGuess } from '../db/code-queries.js';
import type { CodePurpose, IdentityDatabase } from '../db/types.js';
import { type CodeCheck, checkCode, type StoredCode } from '../domain/one-time-codes.js';

/**
 * Stand-ins for an account that does not exist or has no code: the same queries and the
 * same code comparison run against them (finding and changing nothing), so an unknown
 * address is answered after the same work as a known one.
 */
const NO_ACCOUNT = '00000000-0000-7000-8000-000000000000';
const DECOY_CODE: StoredCode = {
  secret: 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ',
  attempts: 0,
  expiresAt: new Date('9999-12-31T00:00:00Z'),
  consumedAt: null,
};

/**
 * Whether a guess would pass, recording nothing: the cheap check a use case makes before
 * paying for a password hash. `userId` undefined (no such account) does the same work.
 */
export async function codeWouldPass(
  db: Kysely<IdentityDatabase>,
  userId: string | undefined,
  purpose: CodePurpose,
  guess: string,
  now: Date,
): Promise<boolean> {
  const stored = await findNewestCode(db, userId ?? NO_ACCOUNT, purpose);
  const checked = await checkCode(stored ? toStoredCode(stored) : DECOY_CODE, guess, now);
  return stored !== undefined && checked === 'valid';
}

/**
 * Checks a guess against the account's newest code of a purpose and records it: a wrong
 * guess counts toward the limit, a right one spends the code. The caller's transaction
 * must commit either way, so the count survives a refusal; refuse with `codeRefusal`
 * after it commits.
 */
export async function guessCode(
  trx: Transaction<IdentityDatabase>,
  /** Undefined: no such account; the guess is wrong after the same work. */
  userId: string | undefined,
  purpose: CodePurpose,
  guess: string,
  now: Date,
  /** Whatever else the attempt had to prove (a password) checked out; if not, the guess is wrong. */
  otherProof = true,
): Promise<CodeCheck> {
  const stored = await lockNewestCode(trx, userId ?? NO_ACCOUNT, purpose);
  if (!stored) {
    // No account or no code: the same comparison and update as a wrong guess, to no effect.
    await checkCode(DECOY_CODE, guess, now);
    await recordGuess(trx, NO_ACCOUNT, { counted: true, consumedAt: null });
    return 'wrong';
  }
  const checked = await checkCode(toStoredCode(stored), guess, now);
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

function toStoredCode(row: {
  secret: string;
  attempts: number;
  expires_at: Date;
  consumed_at: Date | null;
}): StoredCode {
  return {
    secret: row.secret,
    attempts: row.attempts,
    expiresAt: row.expires_at,
    consumedAt: row.consumed_at,
  };
}
