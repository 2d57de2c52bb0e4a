import { PolicyRule } from '@countersign/contracts';
import type { VersionedPolicy } from '@countersign/routing';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import type { ApprovalDatabase } from './types.js';

type Db = Kysely<ApprovalDatabase> | Transaction<ApprovalDatabase>;

// Rules were validated when saved; they are parsed again on the way out, never cast.
const StoredRules = z.array(PolicyRule);

export interface PolicyVersionRow extends VersionedPolicy {
  versionCreatedAt: Date;
  versionCreatedBy: string | null;
}

function versionsQuery(db: Db, companyId: string) {
  return db
    .selectFrom('policy')
    .innerJoin('policy_version', 'policy_version.policy_id', 'policy.id')
    .select([
      'policy.id',
      'policy.name',
      'policy.category',
      'policy.active',
      'policy_version.version',
      'policy_version.rules',
      'policy_version.created_at',
      'policy_version.created_by',
    ])
    .where('policy.company_id', '=', companyId);
}

type VersionRow = Awaited<ReturnType<ReturnType<typeof versionsQuery>['execute']>>[number];

function toPolicy(row: VersionRow): PolicyVersionRow {
  return {
    id: row.id,
    name: row.name,
    category: row.category,
    active: row.active,
    version: row.version,
    rules: StoredRules.parse(row.rules),
    versionCreatedAt: row.created_at,
    versionCreatedBy: row.created_by,
  };
}

/** The company's policies at their current version (active ones only unless asked). */
export async function listCurrentPolicies(
  db: Db,
  companyId: string,
  options: { activeOnly: boolean },
): Promise<PolicyVersionRow[]> {
  let query = versionsQuery(db, companyId).whereRef(
    'policy_version.version',
    '=',
    'policy.current_version',
  );
  if (options.activeOnly) query = query.where('policy.active', '=', true);
  const rows = await query.orderBy('policy.name').orderBy('policy.id').execute();
  return rows.map(toPolicy);
}

/** One policy at its current version, or at the version named. */
export async function findPolicy(
  db: Db,
  companyId: string,
  policyId: string,
  version?: number,
): Promise<PolicyVersionRow | undefined> {
  let query = versionsQuery(db, companyId).where('policy.id', '=', policyId);
  query =
    version === undefined
      ? query.whereRef('policy_version.version', '=', 'policy.current_version')
      : query.where('policy_version.version', '=', version);
  const row = await query.executeTakeFirst();
  return row ? toPolicy(row) : undefined;
}

export interface NewPolicyVersion {
  id: string;
  companyId: string;
  name: string;
  category: string;
  version: number;
  rules: PolicyRule[];
  createdBy: string;
}

/** A new policy and its version 1. */
export async function insertPolicy(trx: Transaction<ApprovalDatabase>, policy: NewPolicyVersion) {
  await trx
    .insertInto('policy')
    .values({
      id: policy.id,
      company_id: policy.companyId,
      name: policy.name,
      category: policy.category,
      active: true,
      current_version: policy.version,
    })
    .execute();
  await insertVersion(trx, policy);
}

async function insertVersion(trx: Transaction<ApprovalDatabase>, policy: NewPolicyVersion) {
  await trx
    .insertInto('policy_version')
    .values({
      policy_id: policy.id,
      version: policy.version,
      rules: JSON.stringify(policy.rules),
      created_by: policy.createdBy,
    })
    .execute();
}

/**
 * Locks a policy row for a change: two edits racing get consecutive versions (the second
 * waits here and reads the first one's version), never the same number twice.
 */
export async function lockPolicy(
  trx: Transaction<ApprovalDatabase>,
  companyId: string,
  policyId: string,
) {
  return trx
    .selectFrom('policy')
    .select(['id', 'name', 'category', 'active', 'current_version'])
    .where('company_id', '=', companyId)
    .where('id', '=', policyId)
    .forUpdate()
    .executeTakeFirst();
}

/** Adds a version and makes it current, with the name and category it comes with. */
export async function addPolicyVersion(
  trx: Transaction<ApprovalDatabase>,
  policy: NewPolicyVersion,
) {
  await insertVersion(trx, policy);
  await trx
    .updateTable('policy')
    .set({ name: policy.name, category: policy.category, current_version: policy.version })
    .where('id', '=', policy.id)
    .where('company_id', '=', policy.companyId)
    .execute();
}

export async function deactivatePolicyRow(
  trx: Transaction<ApprovalDatabase>,
  companyId: string,
  policyId: string,
) {
  await trx
    .updateTable('policy')
    .set({ active: false })
    .where('id', '=', policyId)
    .where('company_id', '=', companyId)
    .execute();
}

/** Which of the given level numbers, people and teams the company has. */
export async function findKnownReferences(
  db: Db,
  companyId: string,
  refs: { levels: number[]; users: string[]; teams: string[] },
) {
  const none = Promise.resolve([] as { key: string }[]);
  const [levels, users, teams] = await Promise.all([
    refs.levels.length
      ? db
          .selectFrom('level')
          .select('number')
          .where('company_id', '=', companyId)
          .where('number', 'in', refs.levels)
          .execute()
      : Promise.resolve([]),
    refs.users.length
      ? db
          .selectFrom('person')
          .select('id as key')
          .where('company_id', '=', companyId)
          .where('active', '=', true)
          .where('id', 'in', refs.users)
          .execute()
      : none,
    refs.teams.length
      ? db
          .selectFrom('team')
          .select('id as key')
          .where('company_id', '=', companyId)
          .where('id', 'in', refs.teams)
          .execute()
      : none,
  ]);
  return {
    levels: new Set(levels.map((l) => l.number)),
    users: new Set(users.map((u) => u.key)),
    teams: new Set(teams.map((t) => t.key)),
  };
}
