import type {
  AccessClaims,
  EventOf,
  EventType,
  UpdateUserRequest,
  User,
} from '@countersign/contracts';
import { NotFoundError, newEvent, UnprocessableError } from '@countersign/platform';
import type { Kysely, Transaction } from 'kysely';
import {
  countOtherActiveAdmins,
  findUser,
  lockCompanyDirectory,
  type UserRow,
  updatePerson,
} from '../db/org-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { toUser, toUserSnapshot } from '../db/user-views.js';
import { changedFields, diffUser, moveReason } from '../domain/user-changes.js';
import { enqueue } from '../outbox/enqueue.js';
import { assertOrgReferences } from './assert-org-references.js';
import { rerouteOpenSteps } from './reroute-open-steps.js';

/**
 * Changes a user's name, e-mail, role, team, level or manager and announces it with
 * `UserChanged`. A team or level change that puts them out of reach of steps they hold in
 * chains in flight re-routes those steps in the same transaction.
 */
export async function changeUser(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
  userId: string,
  request: UpdateUserRequest,
  now: Date,
): Promise<User> {
  return db.transaction().execute(async (trx) => {
    await lockCompanyDirectory(trx, caller.company_id, 'exclusive');
    const current = await findUser(trx, caller.company_id, userId);
    if (!current) throw new NotFoundError(`no user ${userId} in your company`);
    const changes = diffUser(current, request);
    if (Object.keys(changes).length === 0) return toUser(current);
    if (changes.role !== undefined) await assertAdminRoleMayGo(trx, caller, current);
    await assertOrgReferences(trx, caller.company_id, userId, changes);
    await updatePerson(trx, caller.company_id, userId, changes, now);
    const actor = { kind: 'user', id: caller.sub } as const;
    const reason = moveReason(changes);
    const rerouted =
      current.active && reason
        ? await rerouteOpenSteps(trx, {
            companyId: caller.company_id,
            personId: userId,
            reason,
            actor,
            now,
          })
        : [];
    const updated = await findUser(trx, caller.company_id, userId);
    if (!updated) throw new Error(`user ${userId} vanished inside its own transaction`);
    const events: EventOf<EventType>[] = [
      newEvent('UserChanged', {
        companyId: caller.company_id,
        actor,
        subject: userId,
        occurredAt: now,
        data: {
          user: toUserSnapshot(updated),
          changed: changedFields(changes),
        },
      }),
      ...rerouted,
    ];
    await enqueue(trx, events);
    return toUser(updated);
  });
}

/** An admin cannot demote themselves, and the company keeps at least one active admin. */
async function assertAdminRoleMayGo(
  trx: Transaction<ApprovalDatabase>,
  caller: AccessClaims,
  current: UserRow,
): Promise<void> {
  if (current.role !== 'admin') return;
  if (current.id === caller.sub) {
    throw new UnprocessableError(
      'you cannot remove your own admin role; another admin must do it',
      'self-demotion',
    );
  }
  if (current.active && (await countOtherActiveAdmins(trx, caller.company_id, current.id)) === 0) {
    throw new UnprocessableError(
      `${current.name} is the company's last active admin`,
      'last-admin',
    );
  }
}
