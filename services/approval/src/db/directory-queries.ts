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

export async function findPerson(
  db: Db,
  companyId: string,
  personId: string,
): Promise<Person | undefined> {
  return peopleQuery(db, companyId).where('person.id', '=', personId).executeTakeFirst();
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

/** Active policies of a company with their steps, in two queries whatever their number. */
export async function listActivePolicies(db: Db, companyId: string): Promise<Policy[]> {
  const policies = await db
    .selectFrom('policy')
    .select(['id', 'name', 'category', 'min_amount', 'max_amount', 'active'])
    .where('company_id', '=', companyId)
    .where('active', '=', true)
    .execute();
  if (policies.length === 0) return [];
  const steps = await db
    .selectFrom('policy_step')
    .select(['policy_id', 'step_order', 'required_level', 'team_scope', 'required'])
    .where(
      'policy_id',
      'in',
      policies.map((p) => p.id),
    )
    .orderBy('step_order')
    .execute();
  return policies.map((p) => ({
    id: p.id,
    name: p.name,
    category: p.category,
    minAmount: p.min_amount,
    maxAmount: p.max_amount,
    active: p.active,
    steps: steps
      .filter((s) => s.policy_id === p.id)
      .map((s) => ({
        order: s.step_order,
        requiredLevel: s.required_level,
        teamScope: s.team_scope,
        required: s.required,
      })),
  }));
}
