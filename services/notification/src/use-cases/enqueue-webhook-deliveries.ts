import type { AnyEvent } from '@countersign/contracts';
import { sql, type Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { NotificationDatabase } from '../db/types.js';

/**
 * Queues the event for each active endpoint of its company subscribed to its type, in the
 * consumer's inbox transaction: an event is queued once, and the unique (endpoint, event)
 * key makes a slip past the inbox a no-op. Endpoints registered after the event occurred
 * do not get it (a new durable replays the stream from its start).
 */
export async function enqueueWebhookDeliveries(
  trx: Transaction<NotificationDatabase>,
  event: AnyEvent,
): Promise<void> {
  const endpoints = await trx
    .selectFrom('webhook_endpoint')
    .select('id')
    .where('company_id', '=', event.company_id)
    .where('active', '=', true)
    .where(sql<boolean>`${event.type} = any(event_types)`)
    .where('created_at', '<=', new Date(event.occurred_at))
    .execute();
  if (endpoints.length === 0) return;
  const now = new Date();
  await trx
    .insertInto('webhook_event')
    .values({
      event_id: event.id,
      company_id: event.company_id,
      type: event.type,
      payload: JSON.stringify(event),
      occurred_at: new Date(event.occurred_at),
    })
    .onConflict((oc) => oc.column('event_id').doNothing())
    .execute();
  await trx
    .insertInto('webhook_delivery')
    .values(
      endpoints.map((endpoint) => ({
        id: uuidv7(),
        endpoint_id: endpoint.id,
        event_id: event.id,
        redelivery_of: null,
        status: 'pending' as const,
        last_error: null,
        last_response_code: null,
        last_attempt_at: null,
        next_attempt_at: now,
        delivered_at: null,
        created_at: now,
      })),
    )
    .onConflict((oc) =>
      oc.columns(['endpoint_id', 'event_id']).where('redelivery_of', 'is', null).doNothing(),
    )
    .execute();
}
