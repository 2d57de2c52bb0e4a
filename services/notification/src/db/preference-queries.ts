import type { NotificationPreference } from '@countersign/contracts';
import type { Kysely, Transaction } from 'kysely';
import type { NotificationDatabase } from './types.js';

type Db = Kysely<NotificationDatabase> | Transaction<NotificationDatabase>;

/** The stored settings of `userIds` (departures from the defaults), by user. */
export async function storedPreferences(
  db: Db,
  userIds: string[],
): Promise<Map<string, NotificationPreference[]>> {
  const byUser = new Map<string, NotificationPreference[]>();
  if (userIds.length === 0) return byUser;
  const rows = await db
    .selectFrom('notification_preference')
    .select(['user_id', 'kind', 'in_app', 'email'])
    .where('user_id', 'in', userIds)
    .execute();
  for (const row of rows) {
    const list = byUser.get(row.user_id) ?? [];
    list.push({ kind: row.kind, in_app: row.in_app, email: row.email });
    byUser.set(row.user_id, list);
  }
  return byUser;
}

export async function savePreferences(
  trx: Transaction<NotificationDatabase>,
  owner: { userId: string; companyId: string },
  preferences: NotificationPreference[],
): Promise<void> {
  if (preferences.length === 0) return;
  await trx
    .insertInto('notification_preference')
    .values(
      preferences.map((p) => ({
        user_id: owner.userId,
        company_id: owner.companyId,
        kind: p.kind,
        in_app: p.in_app,
        email: p.email,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['user_id', 'kind']).doUpdateSet((eb) => ({
        in_app: eb.ref('excluded.in_app'),
        email: eb.ref('excluded.email'),
        updated_at: new Date(),
      })),
    )
    .execute();
}
