import type { AccessClaims, Policy } from '@countersign/contracts';
import { NotFoundError, newEvent } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { deactivatePolicyRow, findPolicy, lockPolicy } from '../db/policy-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { toPolicyView } from '../domain/policy-view.js';
import { enqueue } from '../outbox/enqueue.js';

/**
 * Stops a policy routing new expenses; chains already routed by it go on. Deactivating
 * twice changes nothing and announces nothing the second time.
 */
export async function deactivatePolicy(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
  policyId: string,
  now: Date,
): Promise<Policy> {
  return db.transaction().execute(async (trx) => {
    const locked = await lockPolicy(trx, caller.company_id, policyId);
    const current = locked ? await findPolicy(trx, caller.company_id, policyId) : undefined;
    if (!locked || !current) throw new NotFoundError(`no policy ${policyId} in your company`);
    if (locked.active) {
      await deactivatePolicyRow(trx, caller.company_id, policyId);
      await enqueue(trx, [
        newEvent('PolicyDeactivated', {
          companyId: caller.company_id,
          actor: { kind: 'user', id: caller.sub },
          subject: policyId,
          occurredAt: now,
          data: { policy_id: policyId, version: current.version },
        }),
      ]);
    }
    return toPolicyView({ ...current, active: false });
  });
}
