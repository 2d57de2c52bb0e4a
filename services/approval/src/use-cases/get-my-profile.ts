import type { AccessClaims, UserProfile } from '@countersign/contracts';
import { NotFoundError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { findUser, listManagerLine } from '../db/org-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { toUser } from '../db/user-views.js';

/** The caller as the directory knows them, with their managers from the direct one upwards. */
export async function getMyProfile(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
): Promise<UserProfile> {
  const row = await findUser(db, caller.company_id, caller.sub);
  if (!row) throw new NotFoundError('you are not in your company’s directory yet');
  const line = row.manager_id ? await listManagerLine(db, caller.company_id, row.manager_id) : [];
  const { manager: _manager, revision: _revision, ...user } = toUser(row);
  return {
    ...user,
    manager_chain: line.map((m) => ({
      id: m.id,
      name: m.name,
      level_number: m.level_number,
      level_name: m.level_name,
    })),
  };
}
