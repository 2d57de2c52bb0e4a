import type { Notification } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { NotificationDatabase, NotificationTable } from './types.js';

export interface Recipient {
  userId: string;
  companyId: string;
}

type Row = Pick<NotificationTable, 'id' | 'kind' | 'expense_id' | 'message' | 'read_at'> & {
  created_at: Date;
};

export const notificationColumns = [
  'id',
  'kind',
  'expense_id',
  'message',
  'created_at',
  'read_at',
] as const;

export function toNotification(row: Row): z.infer<typeof Notification> {
  return {
    id: row.id,
    kind: row.kind,
    expense_id: row.expense_id,
    message: row.message,
    created_at: row.created_at.toISOString(),
    read_at: row.read_at?.toISOString() ?? null,
  };
}

export async function countUnread(
  db: Kysely<NotificationDatabase>,
  recipient: Recipient,
): Promise<number> {
  const row = await db
    .selectFrom('notification')
    .select((eb) => eb.fn.countAll<string>().as('unread'))
    .where('recipient_id', '=', recipient.userId)
    .where('company_id', '=', recipient.companyId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.unread);
}

/**
 * Marks one of the recipient's notifications read, keeping the first read time; undefined
 * when it is not theirs (or does not exist).
 */
export async function markRead(
  db: Kysely<NotificationDatabase>,
  recipient: Recipient,
  id: string,
  at: Date,
): Promise<Row | undefined> {
  return db
    .updateTable('notification')
    .set((eb) => ({ read_at: eb.fn.coalesce('read_at', eb.val(at)) }))
    .where('id', '=', id)
    .where('recipient_id', '=', recipient.userId)
    .where('company_id', '=', recipient.companyId)
    .returning(notificationColumns)
    .executeTakeFirst();
}

/** Marks every unread notification of the recipient read; returns how many were unread. */
export async function markAllRead(
  db: Kysely<NotificationDatabase>,
  recipient: Recipient,
  at: Date,
): Promise<number> {
  const result = await db
    .updateTable('notification')
    .set({ read_at: at })
    .where('recipient_id', '=', recipient.userId)
    .where('company_id', '=', recipient.companyId)
    .where('read_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
