import type { AccessClaims, NotificationPage } from '@countersign/contracts';
import { decodeCursor, toPage } from '@countersign/platform';
import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import { countUnread, notificationColumns, toNotification } from '../db/notification-queries.js';
import type { NotificationDatabase } from '../db/types.js';

const Cursor = z.object({ created_at: z.iso.datetime(), id: z.uuid() });

export interface NotificationQuery {
  limit: number;
  cursor?: string | undefined;
  unreadOnly: boolean;
}

/** The caller's notifications, newest first, with how many of all of them are unread. */
export async function listMyNotifications(
  db: Kysely<NotificationDatabase>,
  caller: AccessClaims,
  query: NotificationQuery,
): Promise<NotificationPage> {
  const before = decodeCursor(Cursor, query.cursor);
  let select = db
    .selectFrom('notification')
    .select(notificationColumns)
    .where('recipient_id', '=', caller.sub)
    .where('company_id', '=', caller.company_id);
  if (query.unreadOnly) select = select.where('read_at', 'is', null);
  if (before) {
    select = select.where(
      sql<boolean>`(created_at, id) < (${new Date(before.created_at)}, ${before.id})`,
    );
  }
  const rows = await select
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit + 1)
    .execute();
  const page = toPage(rows, query.limit, toNotification, (row) => ({
    created_at: row.created_at.toISOString(),
    id: row.id,
  }));
  const unread = await countUnread(db, { userId: caller.sub, companyId: caller.company_id });
  return { ...page, unread_count: unread };
}
