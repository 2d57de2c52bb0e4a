import type { AccessClaims, PolicyList } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import { listCurrentPolicies } from '../db/policy-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { toPolicyView } from '../domain/policy-view.js';

/** The company's policies, deactivated ones included, each at its current version. */
export async function listPolicies(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
): Promise<PolicyList> {
  const policies = await listCurrentPolicies(db, caller.company_id, { activeOnly: false });
  return { items: policies.map(toPolicyView) };
}
