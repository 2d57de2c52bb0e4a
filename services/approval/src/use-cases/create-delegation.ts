import {
  type AccessClaims,
  type CreateDelegationRequest,
  type Delegation,
  roleHasPermission,
} from '@countersign/contracts';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  newEvent,
  UnprocessableError,
} from '@countersign/platform';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import {
  findDelegation,
  insertDelegation,
  lockLiveDelegationsBy,
  toTerms,
} from '../db/delegation-queries.js';
import { toDelegation } from '../db/delegation-views.js';
import { findUser } from '../db/org-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { rangesOverlap, utcDay } from '../domain/delegation.js';
import { enqueue } from '../outbox/enqueue.js';

/**
 * The caller lets a colleague decide their steps for a range of UTC days. One delegator has
 * at most one live delegation on any day: an overlapping one is refused (409), so who acts
 * for whom is never ambiguous; revoke the old one first.
 */
export async function createDelegation(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
  request: CreateDelegationRequest,
  now: Date,
): Promise<Delegation> {
  if (request.delegate_id === caller.sub) {
    throw new UnprocessableError('you cannot delegate to yourself', 'delegate-self');
  }
  if (request.ends_on < utcDay(now)) {
    throw new UnprocessableError('ends_on is in the past', 'delegation-over');
  }
  const id = uuidv7();
  await db.transaction().execute(async (trx) => {
    const live = await lockLiveDelegationsBy(trx, caller.company_id, caller.sub);
    const [me, delegate] = await Promise.all([
      findUser(trx, caller.company_id, caller.sub),
      findUser(trx, caller.company_id, request.delegate_id),
    ]);
    if (!me?.active) throw new ForbiddenError('your account is deactivated');
    if (!delegate) throw new NotFoundError(`no user ${request.delegate_id} in your company`);
    if (!delegate.active) {
      throw new UnprocessableError(`${delegate.name} is deactivated`, 'delegate-inactive');
    }
    if (!roleHasPermission(delegate.role, 'approvals.decide')) {
      throw new UnprocessableError(
        `${delegate.name} is ${delegate.role} and may not decide approvals`,
        'delegate-cannot-decide',
      );
    }
    const wanted = { startsOn: request.starts_on, endsOn: request.ends_on };
    const clash = live
      .map(toTerms)
      .find((d) => d.endsOn >= utcDay(now) && rangesOverlap(d, wanted));
    if (clash) {
      throw new ConflictError(
        `you already delegate from ${clash.startsOn} to ${clash.endsOn} (delegation ${clash.id}); revoke it first`,
        'delegation-overlap',
      );
    }
    const row = {
      id,
      company_id: caller.company_id,
      delegator_id: caller.sub,
      delegate_id: delegate.id,
      starts_on: request.starts_on,
      ends_on: request.ends_on,
      max_amount: request.max_amount ?? null,
      categories: request.categories ?? null,
      created_at: now,
    };
    await insertDelegation(trx, row);
    await enqueue(trx, [
      newEvent('ApprovalDelegated', {
        companyId: caller.company_id,
        actor: { kind: 'user', id: caller.sub },
        subject: id,
        occurredAt: now,
        data: {
          delegation_id: id,
          delegator_id: caller.sub,
          delegator_name: me.name,
          delegate_id: delegate.id,
          delegate_name: delegate.name,
          starts_on: row.starts_on,
          ends_on: row.ends_on,
          max_amount: row.max_amount,
          categories: row.categories,
        },
      }),
    ]);
  });
  const created = await findDelegation(db, caller.company_id, id);
  if (!created) throw new Error(`delegation ${id} vanished after insert`);
  return toDelegation(created);
}
