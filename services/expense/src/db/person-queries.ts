import type { UserSnapshot } from '@countersign/contracts';
import type { Kysely, Transaction } from 'kysely';
import type { ExpenseDatabase } from './types.js';

type Db = Kysely<ExpenseDatabase>;
type Trx = Transaction<ExpenseDatabase>;

/**
 * Keeps the snapshot with the highest revision (routing's level and manager included): an older or replayed snapshot changes
 * nothing, so user events may arrive in any order and any number of times.
 */
/** The company a person of the directory copy belongs to, if the copy has them. */
export async function personCompany(trx: Trx, userId: string): Promise<string | undefined> {
  const row = await trx
    .selectFrom('person')
    .select('company_id')
    .where('id', '=', userId)
    .executeTakeFirst();
  return row?.company_id;
}

export async function recordPersonSnapshot(
  trx: Trx,
  companyId: string,
  user: UserSnapshot,
): Promise<void> {
  const row = {
    id: user.user_id,
    company_id: companyId,
    name: user.name,
    email: user.email,
    role: user.role,
    team_id: user.team_id,
    active: user.active,
    revision: user.revision,
    level_id: user.level_id,
    manager_id: user.manager_id,
  };
  await trx
    .insertInto('person')
    .values(row)
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet((eb) => ({
          company_id: eb.ref('excluded.company_id'),
          name: eb.ref('excluded.name'),
          email: eb.ref('excluded.email'),
          role: eb.ref('excluded.role'),
          team_id: eb.ref('excluded.team_id'),
          active: eb.ref('excluded.active'),
          revision: eb.ref('excluded.revision'),
          level_id: eb.ref('excluded.level_id'),
          manager_id: eb.ref('excluded.manager_id'),
        }))
        // A row from before the level was copied takes the same revision once, to fill it.
        .where((eb) =>
          eb.or([
            eb('person.revision', '<', eb.ref('excluded.revision')),
            eb.and([
              eb('person.revision', '=', eb.ref('excluded.revision')),
              eb('person.level_id', 'is', null),
            ]),
          ]),
        ),
    )
    .execute();
}

export async function findPerson(db: Db | Trx, companyId: string, personId: string) {
  return db
    .selectFrom('person')
    .select(['id', 'name', 'active'])
    .where('id', '=', personId)
    .where('company_id', '=', companyId)
    .executeTakeFirst();
}
