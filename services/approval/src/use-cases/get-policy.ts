import type { AccessClaims, Policy } from '@countersign/contracts';
import { NotFoundError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { findPolicy } from '../db/policy-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { toPolicyView } from '../domain/policy-view.js';

/** One policy, at its current version or at the version asked for. */
export async function getPolicy(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
  policyId: string,
  version?: number,
): Promise<Policy> {
  const policy = await findPolicy(db, caller.company_id, policyId, version);
  if (!policy) {
    throw new NotFoundError(
      `no policy ${policyId}${version === undefined ? '' : ` version ${version}`} in your company`,
    );
  }
  return toPolicyView(policy);
}
