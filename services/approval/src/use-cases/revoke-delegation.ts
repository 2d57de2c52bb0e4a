import type { AccessClaims, Delegation } from '@countersign/contracts';
import { ConflictError, ForbiddenError, NotFoundError, newEvent } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { findDelegation, revokeDelegation as markRevoked } from '../db/delegation-queries.js';
import { toDelegation } from '../db/delegation-views.js';
import type { ApprovalDatabase } from '../db/types.js';
import { enqueue } from '../outbox/enqueue.js';

/** Ends a delegation now, by its delegator or an admin; its delegate can no longer act. */
export async function revokeDelegation(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
  id: string,
  now: Date,
): Promise<Delegation> {
  await db.transaction().execute(async (trx) => {
    const found = await findDelegation(trx, caller.company_id, id);
    if (!found) throw new NotFoundError(`no delegation ${id} in your company`);
    if (found.delegator_id !== caller.sub && caller.role !== 'admin') {
      throw new ForbiddenError('only the delegator or an admin may revoke a delegation');
    }
    if (!(await markRevoked(trx, caller.company_id, id, caller.sub, now))) {
      throw new ConflictError('the delegation is already revoked', 'already-revoked');
    }
    await enqueue(trx, [
      newEvent('DelegationRevoked', {
        companyId: caller.company_id,
        actor: { kind: 'user', id: caller.sub },
        subject: id,
        occurredAt: now,
        data: {
          delegation_id: id,
          delegator_id: found.delegator_id,
          delegate_id: found.delegate_id,
          revoked_by: caller.sub,
          revoked_at: now.toISOString(),
        },
      }),
    ]);
  });
  const revoked = await findDelegation(db, caller.company_id, id);
  if (!revoked) throw new NotFoundError(`no delegation ${id} in your company`);
  return toDelegation(revoked);
}
