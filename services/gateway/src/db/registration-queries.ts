import type { Kysely, Transaction } from 'kysely';
import type { IdentityDatabase } from './types.js';

/** Deletes a registration nobody verified, with its login and codes (it never signed in). */
export async function deleteUnverifiedRegistration(
  trx: Transaction<IdentityDatabase>,
  userId: string,
): Promise<void> {
  await trx.deleteFrom('registration').where('user_id', '=', userId).execute();
  await trx.deleteFrom('one_time_code').where('user_id', '=', userId).execute();
  await trx
    .deleteFrom('credential')
    .where('user_id', '=', userId)
    .where('email_verified_at', 'is', null)
    .execute();
}

/**
 * Deletes the registrations nobody verified that were started before `before`, with their
 * logins and codes, in one statement per table; safe on several replicas at once (a row
 * another replica deleted is simply gone). Returns how many registrations went.
 */
export async function deleteRegistrationsStartedBefore(
  db: Kysely<IdentityDatabase>,
  before: Date,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const gone = await trx
      .deleteFrom('registration')
      .where('created_at', '<', before)
      .returning('user_id')
      .execute();
    const ids = gone.map((row) => row.user_id);
    if (ids.length === 0) return 0;
    await trx.deleteFrom('one_time_code').where('user_id', 'in', ids).execute();
    await trx
      .deleteFrom('credential')
      .where('user_id', 'in', ids)
      .where('email_verified_at', 'is', null)
      .execute();
    return ids.length;
  });
}
