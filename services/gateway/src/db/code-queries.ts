import { type Kysely, sql, type Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { CodePurpose, IdentityDatabase } from './types.js';

type Trx = Transaction<IdentityDatabase>;

/** Stores a new code for a purpose; earlier unused codes of that purpose stop working. */
export async function replaceCode(
  trx: Trx,
  input: { userId: string; purpose: CodePurpose; secret: string; expiresAt: Date; now: Date },
): Promise<void> {
  await trx
    .updateTable('one_time_code')
    .set({ consumed_at: input.now })
    .where('user_id', '=', input.userId)
    .where('purpose', '=', input.purpose)
    .where('consumed_at', 'is', null)
    .execute();
  await trx
    .insertInto('one_time_code')
    .values({
      id: uuidv7(),
      user_id: input.userId,
      purpose: input.purpose,
      secret: input.secret,
      expires_at: input.expiresAt,
    })
    .execute();
}

/** How many codes of a purpose were issued to an account since a moment. */
export async function countCodesSince(
  trx: Trx,
  userId: string,
  purpose: CodePurpose,
  since: Date,
): Promise<number> {
  const row = await trx
    .selectFrom('one_time_code')
    .select(sql<string>`count(*)`.as('n'))
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .where('created_at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Whether an unspent, unexpired code of a purpose is out. */
export async function hasLiveCode(
  trx: Trx,
  userId: string,
  purpose: CodePurpose,
  now: Date,
): Promise<boolean> {
  const live = await trx
    .selectFrom('one_time_code')
    .select('id')
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return live !== undefined;
}

/**
 * The newest code of a purpose, locked so that concurrent guesses are counted one by one.
 * Ordered by id (a UUIDv7 made when the code was stored, after the account's lock), not
 * by `created_at`, which is the start time of the transaction that stored it.
 */
export function lockNewestCode(trx: Trx, userId: string, purpose: CodePurpose) {
  return trx
    .selectFrom('one_time_code')
    .select(['id', 'secret', 'attempts', 'expires_at', 'consumed_at'])
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .orderBy('id', 'desc')
    .limit(1)
    .forUpdate()
    .executeTakeFirst();
}

/** The newest code of a purpose, read without a lock (a check that records nothing). */
export function findNewestCode(
  trx: Trx | Kysely<IdentityDatabase>,
  userId: string,
  purpose: CodePurpose,
) {
  return trx
    .selectFrom('one_time_code')
    .select(['id', 'secret', 'attempts', 'expires_at', 'consumed_at'])
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function recordGuess(
  trx: Trx,
  codeId: string,
  outcome: { counted: boolean; consumedAt: Date | null },
): Promise<void> {
  await trx
    .updateTable('one_time_code')
    .set((eb) => ({
      attempts: outcome.counted ? eb('attempts', '+', 1) : eb.ref('attempts'),
      consumed_at: outcome.consumedAt,
    }))
    .where('id', '=', codeId)
    .execute();
}
