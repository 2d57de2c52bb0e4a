import type { AccessClaims, CreateUserRequest, User } from '@countersign/contracts';
import { newEvent } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { findUser, insertPerson, lockCompanyDirectory } from '../db/org-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { toUser, toUserSnapshot } from '../db/user-views.js';
import { enqueue } from '../outbox/enqueue.js';
import { assertOrgReferences } from './assert-org-references.js';

/**
 * Adds a person to the caller's company and announces them with `UserAdded` (invited), so
 * the gateway creates their login and e-mails the invitation.
 */
export async function addUser(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
  request: CreateUserRequest,
  now: Date,
): Promise<User> {
  return db.transaction().execute(async (trx) => {
    await lockCompanyDirectory(trx, caller.company_id, 'exclusive');
    const id = uuidv7();
    await assertOrgReferences(trx, caller.company_id, id, request);
    await insertPerson(trx, {
      id,
      company_id: caller.company_id,
      team_id: request.team_id,
      level_id: request.level_id,
      name: request.name,
      email: request.email.toLowerCase(),
      role: request.role,
      manager_id: request.manager_id ?? null,
    });
    const row = await findUser(trx, caller.company_id, id);
    if (!row) throw new Error(`user ${id} vanished inside its own transaction`);
    await enqueue(trx, [
      newEvent('UserAdded', {
        companyId: caller.company_id,
        actor: { kind: 'user', id: caller.sub },
        subject: id,
        occurredAt: now,
        data: { user: toUserSnapshot(row), invited: true },
      }),
    ]);
    return toUser(row);
  });
}
