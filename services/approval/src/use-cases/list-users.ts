import type { AccessClaims, UserListQuery, UserPage } from '@countersign/contracts';
import { decodeCursor, toPage } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { listUsers as selectUsers } from '../db/org-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { toUser } from '../db/user-views.js';

const Cursor = z.object({ id: z.uuid() });

/** The caller's company's users, filtered, in a stable order (by id), page by page. */
export async function listUsers(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
  query: UserListQuery,
): Promise<UserPage> {
  const { limit, cursor, ...filters } = query;
  const after = decodeCursor(Cursor, cursor);
  const rows = await selectUsers(db, caller.company_id, filters, limit + 1, after?.id);
  return toPage(rows, limit, toUser, (row) => ({ id: row.id }));
}
