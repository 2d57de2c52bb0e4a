import type { AccessClaims, MarkedAllRead } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import { markAllRead } from '../db/notification-queries.js';
import type { NotificationDatabase } from '../db/types.js';

/** Marks every unread notification of the caller read, answering how many there were. */
export async function markAllNotificationsRead(
  deps: { db: Kysely<NotificationDatabase>; now: () => Date },
  caller: AccessClaims,
): Promise<MarkedAllRead> {
  const marked = await markAllRead(
    deps.db,
    { userId: caller.sub, companyId: caller.company_id },
    deps.now(),
  );
  return { marked };
}
