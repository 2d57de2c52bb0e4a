import type { Person, TeamScope } from '@countersign/routing';
import type { Kysely } from 'kysely';
import type { ApprovalDatabase } from './types.js';

type Db = Kysely<ApprovalDatabase>;

function peopleQuery(db: Db, companyId: string) {
  return db
    .selectFrom('person')
    .innerJoin('level', 'level.id', 'person.level_id')
    .select([
      'person.id',
      'person.name',
      'person.team_id as teamId',
      'person.active',
      'level.number as levelNumber',
      'level.name as levelName',
      'person.role',
      'person.manager_id as managerId',
    ])
    .where('person.company_id', '=', companyId);
}

/** Everyone who could approve for a submitter: their team, or the company when a step says so. */
export async function listCandidates(
  db: Db,
  companyId: string,
  teamId: string,
  scopes: readonly TeamScope[],
): Promise<Person[]> {
  let query = peopleQuery(db, companyId).where('person.active', '=', true);
  if (!scopes.includes('company')) query = query.where('person.team_id', '=', teamId);
  return query.execute();
}

/**
 * Everyone of the company, deactivated people included: a step naming a user who has left
 * walks up that user's reporting line, which needs their row (they are never chosen).
 */
export async function listCompanyPeople(db: Db, companyId: string): Promise<Person[]> {
  return peopleQuery(db, companyId).execute();
}

/** The submitter's whole team (the submitter included), in one query. */
export async function listTeamOf(db: Db, companyId: string, personId: string): Promise<Person[]> {
  return peopleQuery(db, companyId)
    .where('person.team_id', '=', (eb) =>
      eb
        .selectFrom('person as me')
        .select('me.team_id')
        .where('me.id', '=', personId)
        .where('me.company_id', '=', companyId),
    )
    .execute();
}

/** Whether someone is an active member of the company: deactivated people decide nothing. */
export async function isActivePerson(
  db: Db,
  companyId: string,
  personId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom('person')
    .select('active')
    .where('company_id', '=', companyId)
    .where('id', '=', personId)
    .executeTakeFirst();
  return row?.active === true;
}
