import { PolicyRule } from '@countersign/contracts';
import type { Kysely, Transaction } from 'kysely';
import { z } from 'zod';
import type { VersionedPolicy } from '../domain/select-policy.js';
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
