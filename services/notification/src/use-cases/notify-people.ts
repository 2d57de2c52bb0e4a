import { auditRecordsOf, newEvent, outboxRows } from '@countersign/platform';
import type { Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { NotificationDatabase } from '../db/types.js';
import { type NotifiableEvent, notificationsFor } from '../domain/recipients.js';
import { recordAudit } from '../outbox/audit.js';

/**
 * Stores an in-app notification for each person the event concerns and announces each,
 * in one statement. The consumer's inbox makes this run once per event; the unique
 * (source event, recipient) key turns a slip past it into a loud failure, not a repeat.
 */
export async function notifyPeople(
  trx: Transaction<NotificationDatabase>,
  event: NotifiableEvent,
): Promise<void> {
  const rows = notificationsFor(event).map((n) => ({
    id: uuidv7(),
    company_id: event.company_id,
    recipient_id: n.recipientId,
    kind: n.kind,
    expense_id: n.expenseId,
    message: n.message,
    source_event_id: event.id,
    read_at: null,
  }));
  if (rows.length === 0) return;
  const announcements = rows.map((row) =>
    newEvent('NotificationCreated', {
      companyId: event.company_id,
      actor: { kind: 'system', id: 'notification' },
      subject: row.id,
      data: {
        notification_id: row.id,
        recipient_id: row.recipient_id,
        kind: row.kind,
        expense_id: row.expense_id,
        message: row.message,
      },
    }),
  );
  await trx
    .with('stored', (qb) => qb.insertInto('notification').values(rows).returning('id'))
    .insertInto('outbox')
    .values(outboxRows(announcements))
    .execute();
  await recordAudit(trx, auditRecordsOf(announcements));
}
