import type {
  AccessClaims,
  DeactivateUserRequest,
  EventOf,
  EventType,
  User,
} from '@countersign/contracts';
import { ConflictError, NotFoundError, newEvent, UnprocessableError } from '@countersign/platform';
import type { Kysely, Transaction } from 'kysely';
import {
  countOtherActiveAdmins,
  findUser,
  listDirectReports,
  lockCompanyDirectory,
  updatePerson,
} from '../db/org-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { toUser, toUserSnapshot } from '../db/user-views.js';
import { enqueue } from '../outbox/enqueue.js';
import { rerouteOpenSteps } from './reroute-open-steps.js';

type Actor = { kind: 'user'; id: string };

/**
 * Deactivates a user: they can no longer submit or decide. In the same transaction, the
 * steps they hold in chains in flight go to the next eligible approver, and the people who
 * reported to them now report to their manager. Announced with `UserDeactivated`.
 */
export async function deactivateUser(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
  userId: string,
  request: DeactivateUserRequest,
  now: Date,
): Promise<User> {
  return db.transaction().execute(async (trx) => {
    await lockCompanyDirectory(trx, caller.company_id, 'exclusive');
    const current = await findUser(trx, caller.company_id, userId);
    if (!current) throw new NotFoundError(`no user ${userId} in your company`);
    if (userId === caller.sub) {
      throw new UnprocessableError('you cannot deactivate yourself', 'self-deactivation');
    }
    if (!current.active) throw new ConflictError(`${current.name} is already deactivated`);
    if (
      current.role === 'admin' &&
      (await countOtherActiveAdmins(trx, caller.company_id, userId)) === 0
    ) {
      throw new UnprocessableError(
        `${current.name} is the company's last active admin`,
        'last-admin',
      );
    }
    await updatePerson(trx, caller.company_id, userId, { active: false, deactivated_at: now }, now);
    const actor: Actor = { kind: 'user', id: caller.sub };
    const rerouted = await rerouteOpenSteps(trx, {
      companyId: caller.company_id,
      personId: userId,
      reason: 'previous approver deactivated',
      actor,
      now,
    });
    const reports = await moveReportsUp(
      trx,
      caller.company_id,
      userId,
      current.manager_id,
      actor,
      now,
    );
    const updated = await findUser(trx, caller.company_id, userId);
    if (!updated) throw new Error(`user ${userId} vanished inside its own transaction`);
    await enqueue(trx, [
      newEvent('UserDeactivated', {
        companyId: caller.company_id,
        actor,
        subject: userId,
        occurredAt: now,
        data: { user: toUserSnapshot(updated), reason: request.reason ?? null },
      }),
      ...reports,
      ...rerouted,
    ]);
    return toUser(updated);
  });
}

/** The deactivated person's direct reports now report to that person's own manager. */
async function moveReportsUp(
  trx: Transaction<ApprovalDatabase>,
  companyId: string,
  leaverId: string,
  newManagerId: string | null,
  actor: Actor,
  now: Date,
): Promise<EventOf<EventType>[]> {
  const events: EventOf<EventType>[] = [];
  for (const report of await listDirectReports(trx, companyId, leaverId)) {
    await updatePerson(trx, companyId, report.id, { manager_id: newManagerId }, now);
    const row = await findUser(trx, companyId, report.id);
    if (!row) continue;
    events.push(
      newEvent('UserChanged', {
        companyId,
        actor,
        subject: report.id,
        occurredAt: now,
        data: { user: toUserSnapshot(row), changed: ['manager_id'] },
      }),
    );
  }
  return events;
}
