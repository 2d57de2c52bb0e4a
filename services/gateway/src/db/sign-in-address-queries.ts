import type { Kysely, Transaction } from 'kysely';
import type { IdentityDatabase } from './types.js';

/** Whether the account signed in with its password from this client address since `since`. */
export async function isKnownSignInAddress(
  db: Kysely<IdentityDatabase>,
  userId: string,
  address: string,
  since: Date,
): Promise<boolean> {
  const row = await db
    .selectFrom('sign_in_address')
    .select('user_id')
    .where('user_id', '=', userId)
    .where('address', '=', address)
    .where('last_signed_in_at', '>', since)
    .executeTakeFirst();
  return row !== undefined;
}

/** Records a successful sign-in from an address, keeping only the account's `keep` most recent. */
export async function rememberSignInAddress(
  trx: Transaction<IdentityDatabase>,
  input: { userId: string; address: string; now: Date; keep: number },
): Promise<void> {
  await trx
    .insertInto('sign_in_address')
    .values({ user_id: input.userId, address: input.address, last_signed_in_at: input.now })
    .onConflict((oc) =>
      oc.columns(['user_id', 'address']).doUpdateSet({ last_signed_in_at: input.now }),
    )
    .execute();
  await trx
    .deleteFrom('sign_in_address')
    .where('user_id', '=', input.userId)
    .where(
      'address',
      'not in',
      trx
        .selectFrom('sign_in_address')
        .select('address')
        .where('user_id', '=', input.userId)
        .orderBy('last_signed_in_at', 'desc')
        .limit(input.keep),
    )
    .execute();
}
