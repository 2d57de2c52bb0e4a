import type { AccessClaims, NotificationPage } from '@countersign/contracts';
import { decodeCursor, toPage } from '@countersign/platform';
import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import type { NotificationDatabase } from '../db/types.js';

const Cursor = z.object({ created_at: z.iso.datetime(), id: z.uuid() });

export interface NotificationQuery {
  limit: number;
  cursor?: string | undefined;
  unreadOnly: boolean;
}

/** The caller's notifications, newest first. */
export async function listMyNotifications(
  db: Kysely<NotificationDatabase>,
  caller: AccessClaims,
  query: NotificationQuery,
): Promise<NotificationPage> {
  const before = decodeCursor(Cursor, query.cursor);
  let select = db
    .selectFrom('notification')
    .select(['id', 'kind', 'expense_id', 'message', 'created_at', 'read_at'])
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
  return toPage(
    rows,
    query.limit,
    (row) => ({
      id: row.id,
      kind: row.kind,
      expense_id: row.expense_id,
      message: row.message,
      created_at: row.created_at.toISOString(),
      read_at: row.read_at?.toISOString() ?? null,
    }),
    (row) => ({ created_at: row.created_at.toISOString(), id: row.id }),
  );
}
