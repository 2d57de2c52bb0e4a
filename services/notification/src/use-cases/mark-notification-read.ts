import type { AccessClaims, MarkedRead } from '@countersign/contracts';
import { NotFoundError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { markRead, toNotification } from '../db/notification-queries.js';
import type { NotificationDatabase } from '../db/types.js';

/**
 * Marks one of the caller's notifications read. Idempotent: a second call keeps the first
 * read time. Someone else's notification is not found, as if it did not exist.
 */
export async function markNotificationRead(
  deps: { db: Kysely<NotificationDatabase>; now: () => Date },
  caller: AccessClaims,
  id: string,
): Promise<MarkedRead> {
  const row = await markRead(
    deps.db,
    { userId: caller.sub, companyId: caller.company_id },
    id,
    deps.now(),
  );
  if (!row) throw new NotFoundError(`no notification ${id} of yours`);
  return { notification: toNotification(row) };
}
