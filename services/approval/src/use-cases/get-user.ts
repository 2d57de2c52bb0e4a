import type { AccessClaims, User } from '@countersign/contracts';
import { NotFoundError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { findUser } from '../db/org-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { toUser } from '../db/user-views.js';

/** One user of the caller's company; anyone else's id is not found. */
export async function getUser(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
  userId: string,
): Promise<User> {
  const row = await findUser(db, caller.company_id, userId);
  if (!row) throw new NotFoundError(`no user ${userId} in your company`);
  return toUser(row);
}
