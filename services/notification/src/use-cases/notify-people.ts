import type { AnyEvent } from '@countersign/contracts';
import { newEvent } from '@countersign/platform';
import type { Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { NotificationDatabase } from '../db/types.js';
import { notificationsFor } from '../domain/recipients.js';
import { enqueue } from '../outbox/enqueue.js';

type Notifiable = Extract<
  AnyEvent,
  { type: 'ApprovalRequested' | 'ExpenseApproved' | 'ExpenseRejected' | 'ExpenseRoutingFailed' }
>;

/** Stores an in-app notification for each person the event concerns, and announces each. */
export async function notifyPeople(
  trx: Transaction<NotificationDatabase>,
  event: Notifiable,
): Promise<void> {
  const planned = notificationsFor(event);
  const rows = await trx
    .insertInto('notification')
    .values(
      planned.map((n) => ({
        id: uuidv7(),
        company_id: event.company_id,
        recipient_id: n.recipientId,
        kind: n.kind,
        expense_id: n.expenseId,
        message: n.message,
        source_event_id: event.id,
        read_at: null,
      })),
    )
    .onConflict((oc) => oc.columns(['source_event_id', 'recipient_id']).doNothing())
    .returning(['id', 'recipient_id', 'kind', 'expense_id', 'message'])
    .execute();
  await enqueue(
    trx,
    rows.map((row) =>
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
    ),
  );
}
