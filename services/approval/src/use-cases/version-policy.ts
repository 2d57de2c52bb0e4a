import type { AccessClaims, Policy, UpdatePolicyRequest } from '@countersign/contracts';
import { ConflictError, NotFoundError, newEvent } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { addPolicyVersion, findPolicy, lockPolicy } from '../db/policy-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { toPolicyView } from '../domain/policy-view.js';
import { enqueue } from '../outbox/enqueue.js';
import { assertPolicyRules } from './assert-policy-rules.js';

/**
 * Edits a policy by adding a version: the earlier versions stay as they were, so expenses
 * routed by them keep their explanation and their chain. A deactivated policy is frozen.
 */
export async function versionPolicy(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
  policyId: string,
  request: UpdatePolicyRequest,
  now: Date,
): Promise<Policy> {
  if (request.rules) await assertPolicyRules(db, caller.company_id, request.rules);
  return db.transaction().execute(async (trx) => {
    const locked = await lockPolicy(trx, caller.company_id, policyId);
    if (!locked) throw new NotFoundError(`no policy ${policyId} in your company`);
    if (!locked.active) throw new ConflictError(`policy "${locked.name}" is deactivated`);
    const current = await findPolicy(trx, caller.company_id, policyId);
    if (!current) throw new NotFoundError(`no policy ${policyId} in your company`);
    const next = {
      id: policyId,
      companyId: caller.company_id,
      name: request.name ?? current.name,
      category: request.category ?? current.category,
      version: locked.current_version + 1,
      rules: request.rules ?? current.rules,
      createdBy: caller.sub,
    };
    await addPolicyVersion(trx, next);
    await enqueue(trx, [
      newEvent('PolicyVersioned', {
        companyId: caller.company_id,
        actor: { kind: 'user', id: caller.sub },
        subject: policyId,
        occurredAt: now,
        data: {
          policy: {
            id: policyId,
            name: next.name,
            category: next.category,
            version: next.version,
            rules: next.rules,
          },
        },
      }),
    ]);
    return toPolicyView({
      ...next,
      active: true,
      versionCreatedAt: now,
      versionCreatedBy: caller.sub,
    });
  });
}
