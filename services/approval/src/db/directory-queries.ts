import type { Kysely } from 'kysely';
import type { Person, Policy, TeamScope } from '../domain/org.js';
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

/** Active policies of a company with their steps, in one query whatever their number. */
export async function listActivePolicies(db: Db, companyId: string): Promise<Policy[]> {
  const rows = await db
    .selectFrom('policy')
    .leftJoin('policy_step', 'policy_step.policy_id', 'policy.id')
    .select([
      'policy.id',
      'policy.name',
      'policy.category',
      'policy.min_amount',
      'policy.max_amount',
      'policy.active',
      'policy_step.step_order',
      'policy_step.required_level',
      'policy_step.team_scope',
      'policy_step.required',
    ])
    .where('policy.company_id', '=', companyId)
    .where('policy.active', '=', true)
    .orderBy('policy.id')
    .orderBy('policy_step.step_order')
    .execute();
  const policies = new Map<string, Policy>();
  for (const row of rows) {
    let policy = policies.get(row.id);
    if (!policy) {
      policy = {
        id: row.id,
        name: row.name,
        category: row.category,
        minAmount: row.min_amount,
        maxAmount: row.max_amount,
        active: row.active,
        steps: [],
      };
      policies.set(row.id, policy);
    }
    if (
      row.step_order !== null &&
      row.required_level !== null &&
      row.team_scope !== null &&
      row.required !== null
    ) {
      policy.steps.push({
        order: row.step_order,
        requiredLevel: row.required_level,
        teamScope: row.team_scope,
        required: row.required,
      });
    }
  }
  return [...policies.values()];
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
