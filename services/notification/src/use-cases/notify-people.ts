import { auditRecordsOf, newEvent, outboxRows, queueMail } from '@countersign/platform';
import type { Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { activeFinanceIds, activePeople } from '../db/people-queries.js';
import { storedPreferences } from '../db/preference-queries.js';
import type { NotificationDatabase } from '../db/types.js';
import { notificationMail } from '../domain/notification-mail.js';
import { routeByPreference } from '../domain/preferences.js';
import {
  type NotifiableEvent,
  notificationsFor,
  type PlannedNotification,
} from '../domain/recipients.js';
import { recordAudit } from '../outbox/audit.js';
import { enqueueWebhookDeliveries } from './enqueue-webhook-deliveries.js';
import { feedOutboxRows } from './publish-feed-items.js';

type Trx = Transaction<NotificationDatabase>;

/**
 * Tells each person the event concerns, on the channels they chose: an in-app notification
 * (announced with NotificationCreated and put in the recipient's feed in the same
 * statement, and queued for the webhooks subscribed to NotificationCreated) and/or an
 * e-mail queued in the same transaction. The consumer's inbox makes this run once per event; the unique
 * (source event, recipient) key turns a slip past it into a loud failure, not a repeat.
 */
export async function notifyPeople(trx: Trx, event: NotifiableEvent): Promise<void> {
  const financeUserIds = paysOut(event) ? await activeFinanceIds(trx, event.company_id) : [];
  const planned = notificationsFor(event, { financeUserIds });
  if (planned.length === 0) return;
  const recipients = planned.map((n) => n.recipientId);
  const { inApp, email } = routeByPreference(planned, await storedPreferences(trx, recipients));
  await storeInApp(trx, event, inApp);
  await queueEmails(trx, email);
}

/** Approval makes an expense payable: finance is told. */
function paysOut(event: NotifiableEvent): boolean {
  return event.type === 'ExpenseApproved' || event.type === 'ExpenseAutoApproved';
}

async function storeInApp(
  trx: Trx,
  event: NotifiableEvent,
  planned: PlannedNotification[],
): Promise<void> {
  const rows = planned.map((n) => ({
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
  // The recipients' feed items go out with their announcements, in the same statement.
  await trx
    .with('stored', (qb) => qb.insertInto('notification').values(rows).returning('id'))
    .insertInto('outbox')
    .values([...outboxRows(announcements), ...announcements.flatMap(feedOutboxRows)])
    .onConflict((oc) => oc.column('event_id').doNothing())
    .execute();
  await recordAudit(trx, auditRecordsOf(announcements));
  for (const announcement of announcements) await enqueueWebhookDeliveries(trx, announcement);
}

/** People not (or no longer) in the directory have no address here: they get no mail. */
async function queueEmails(trx: Trx, planned: PlannedNotification[]): Promise<void> {
  if (planned.length === 0) return;
  const people = await activePeople(
    trx,
    planned.map((n) => n.recipientId),
  );
  for (const n of planned) {
    const person = people.get(n.recipientId);
    if (person) await queueMail(trx, notificationMail(person, n.kind, n.message));
  }
}
