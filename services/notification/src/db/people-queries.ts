import type { UserSnapshot } from '@countersign/contracts';
import type { Kysely, Transaction } from 'kysely';
import type { NotificationDatabase } from './types.js';

type Db = Kysely<NotificationDatabase> | Transaction<NotificationDatabase>;

/**
 * Keeps the snapshot with the highest revision: an older one arriving late changes nothing,
 * so the user events may come in any order.
 */
/** The company a person of the directory copy belongs to, if the copy has them. */
export async function personCompany(
  trx: Transaction<NotificationDatabase>,
  userId: string,
): Promise<string | undefined> {
  const row = await trx
    .selectFrom('person')
    .select('company_id')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.company_id;
}

export async function upsertPerson(
  trx: Transaction<NotificationDatabase>,
  companyId: string,
  user: UserSnapshot,
): Promise<void> {
  const row = {
    user_id: user.user_id,
    company_id: companyId,
    email: user.email,
    name: user.name,
    role: user.role,
    active: user.active,
    revision: user.revision,
  };
  await trx
    .insertInto('person')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('user_id')
        .doUpdateSet({
          email: row.email,
          name: row.name,
          role: row.role,
          active: row.active,
          revision: row.revision,
        })
        .where('person.revision', '<', row.revision),
    )
    .execute();
}

export async function activeFinanceIds(db: Db, companyId: string): Promise<string[]> {
  const rows = await db
    .selectFrom('person')
    .select('user_id')
    .where('company_id', '=', companyId)
    .where('role', '=', 'finance')
    .where('active', '=', true)
    .orderBy('user_id')
    .execute();
  return rows.map((r) => r.user_id);
}

/** The active people among `ids`, with their addresses; a deactivated person gets no mail. */
export async function activePeople(
  db: Db,
  ids: string[],
): Promise<Map<string, { email: string; name: string }>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('person')
    .select(['user_id', 'email', 'name'])
    .where('user_id', 'in', ids)
    .where('active', '=', true)
    .execute();
  return new Map(rows.map((r) => [r.user_id, { email: r.email, name: r.name }]));
}
