import type { AccessClaims, CreatePolicyRequest, Policy } from '@countersign/contracts';
import { newEvent } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { insertPolicy } from '../db/policy-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { toPolicyView } from '../domain/policy-view.js';
import { enqueue } from '../outbox/enqueue.js';
import { assertPolicyRules } from './assert-policy-rules.js';

/** Creates an active policy at version 1 and announces it with PolicyCreated. */
export async function createPolicy(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
  request: CreatePolicyRequest,
  now: Date,
): Promise<Policy> {
  await assertPolicyRules(db, caller.company_id, request.rules);
  const policy = {
    id: uuidv7(),
    companyId: caller.company_id,
    name: request.name,
    category: request.category,
    version: 1,
    rules: request.rules,
    createdBy: caller.sub,
  };
  await db.transaction().execute(async (trx) => {
    await insertPolicy(trx, policy);
    await enqueue(trx, [
      newEvent('PolicyCreated', {
        companyId: caller.company_id,
        actor: { kind: 'user', id: caller.sub },
        subject: policy.id,
        occurredAt: now,
        data: {
          policy: {
            id: policy.id,
            name: policy.name,
            category: policy.category,
            version: 1,
            rules: policy.rules,
          },
        },
      }),
    ]);
  });
  return toPolicyView({
    ...policy,
    active: true,
    versionCreatedAt: now,
    versionCreatedBy: caller.sub,
  });
}
