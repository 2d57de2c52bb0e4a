import { PolicyRule } from '@countersign/contracts';
import type { Person, VersionedPolicy } from '@countersign/routing';
import { type Kysely, sql, type Transaction } from 'kysely';
import { z } from 'zod';
import type { ExpenseDatabase } from './types.js';

type Db = Kysely<ExpenseDatabase> | Transaction<ExpenseDatabase>;
type Trx = Transaction<ExpenseDatabase>;

// Rules were validated by the approval service; parsed again on the way out, never cast.
const StoredRules = z.array(PolicyRule);

export interface PolicyCopy {
  id: string;
  name: string;
  category: string;
  active: boolean;
  version: number;
  rules: PolicyRule[];
}

/**
 * Keeps a policy at the newest version seen. A deactivated policy stays inactive whatever
 * arrives after (deactivation is final), so a late PolicyCreated cannot revive it.
 */
export async function recordPolicyCopy(trx: Trx, companyId: string, policy: PolicyCopy) {
  await trx
    .insertInto('routing_policy')
    .values({ ...policy, company_id: companyId, rules: JSON.stringify(policy.rules) })
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet((eb) => ({
          name: eb.ref('excluded.name'),
          category: eb.ref('excluded.category'),
          rules: eb.ref('excluded.rules'),
          version: eb.ref('excluded.version'),
          active: sql<boolean>`routing_policy.active and excluded.active`,
        }))
        .where((eb) =>
          eb.or([
            eb('routing_policy.version', '<', eb.ref('excluded.version')),
            eb.and([
              eb('routing_policy.version', '=', eb.ref('excluded.version')),
              eb('routing_policy.active', '=', true),
              eb('excluded.active', '=', false),
            ]),
          ]),
        ),
    )
    .execute();
}

/** A deactivated policy: inactive for good, whether or not its versions arrived yet. */
export async function deactivatePolicyCopy(
  trx: Trx,
  companyId: string,
  policyId: string,
  version: number,
) {
  await trx
    .insertInto('routing_policy')
    .values({
      id: policyId,
      company_id: companyId,
      name: '',
      category: '',
      active: false,
      version,
      rules: JSON.stringify([]),
    })
    .onConflict((oc) => oc.column('id').doUpdateSet({ active: false }))
    .execute();
}

/** A level's name as of `asOf`: an older name (a late or replayed event) changes nothing. */
export async function recordLevelCopy(
  trx: Trx,
  companyId: string,
  level: { id: string; number: number; name: string },
  asOf: Date,
) {
  await trx
    .insertInto('routing_level')
    .values({ ...level, company_id: companyId, as_of: asOf })
    .onConflict((oc) =>
      oc
        .column('id')
        .doUpdateSet((eb) => ({
          number: eb.ref('excluded.number'),
          name: eb.ref('excluded.name'),
          as_of: eb.ref('excluded.as_of'),
        }))
        .where('routing_level.as_of', '<', (eb) => eb.ref('excluded.as_of')),
    )
    .execute();
}

/** The company's copy is whole from now on: a snapshot of it was applied. */
export async function markCopyWhole(trx: Trx, companyId: string, takenAt: Date) {
  await trx
    .insertInto('routing_company')
    .values({ company_id: companyId, snapshot_taken_at: takenAt, requested_at: null })
    .onConflict((oc) =>
      oc
        .column('company_id')
        .doUpdateSet({ snapshot_taken_at: takenAt })
        .where('routing_company.snapshot_taken_at', 'is', null),
    )
    .execute();
}

/**
 * Marks the companies this service knows (by their currency settings and people) but has
 * no copy of, nor asked for, as asked; returns them, for the caller to ask in the same
 * transaction. Of racing replicas each company is claimed once.
 */
export async function claimCopyRequests(trx: Trx, at: Date): Promise<string[]> {
  const rows = await trx
    .insertInto('routing_company')
    .columns(['company_id', 'snapshot_taken_at', 'requested_at'])
    .expression((eb) =>
      eb
        .selectFrom('company_currency')
        .select([
          'company_id',
          sql<null>`null::timestamptz`.as('snapshot_taken_at'),
          sql<Date>`${at}::timestamptz`.as('requested_at'),
        ])
        .union(
          eb
            .selectFrom('person')
            .select([
              'company_id',
              sql<null>`null::timestamptz`.as('snapshot_taken_at'),
              sql<Date>`${at}::timestamptz`.as('requested_at'),
            ]),
        ),
    )
    .onConflict((oc) => oc.column('company_id').doNothing())
    .returning('company_id')
    .execute();
  return rows.map((r) => r.company_id);
}

export interface RoutingCopy {
  /** False until a snapshot of the company arrived: route through the approval service. */
  whole: boolean;
  policies: VersionedPolicy[];
}

/** The company's active policies, and whether its copy is whole: one query. */
export async function findRoutingCopy(db: Db, companyId: string): Promise<RoutingCopy> {
  const rows = await db
    .selectFrom('routing_company')
    .leftJoin('routing_policy', (join) =>
      join
        .onRef('routing_policy.company_id', '=', 'routing_company.company_id')
        .on('routing_policy.active', '=', true),
    )
    .select([
      'routing_company.snapshot_taken_at',
      'routing_policy.id',
      'routing_policy.name',
      'routing_policy.category',
      'routing_policy.version',
      'routing_policy.rules',
    ])
    .where('routing_company.company_id', '=', companyId)
    .execute();
  const policies: VersionedPolicy[] = [];
  for (const r of rows) {
    if (r.id === null || r.name === null || r.category === null || r.version === null) continue;
    policies.push({
      id: r.id,
      name: r.name,
      category: r.category,
      active: true,
      version: r.version,
      rules: StoredRules.parse(r.rules),
    });
  }
  return { whole: Boolean(rows[0]?.snapshot_taken_at), policies };
}

/**
 * People as routing reads them: the submitter's team, or the whole company. A person whose
 * level is not known yet (a row from before the copy) is left out.
 */
export async function listRoutingPeople(
  db: Db,
  companyId: string,
  teamOf?: string,
): Promise<Person[]> {
  let query = db
    .selectFrom('person')
    .innerJoin('routing_level', 'routing_level.id', 'person.level_id')
    .select([
      'person.id',
      'person.name',
      'person.team_id as teamId',
      'person.active',
      'person.role',
      'person.manager_id as managerId',
      'routing_level.number as levelNumber',
      'routing_level.name as levelName',
    ])
    .where('person.company_id', '=', companyId);
  if (teamOf !== undefined) {
    query = query.where((eb) =>
      eb.or([
        eb('person.id', '=', teamOf),
        eb(
          'person.team_id',
          '=',
          eb
            .selectFrom('person as submitter')
            .select('submitter.team_id')
            .where('submitter.id', '=', teamOf),
        ),
      ]),
    );
  }
  return query.execute();
}
