import { FeedItemV1, feedSubject } from '@countersign/contracts';
import type { Insertable, Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { NotificationDatabase } from '../db/types.js';
import { type FeedSourceEvent, feedItemsFor, type PlannedFeedItem } from '../domain/feed-items.js';

/**
 * Puts an event's feed items into the outbox, each on its reader's own subject
 * (`countersign.feed.<company>.<user>`), in the consumer's transaction: the inbox makes
 * this run once per event, and the relay publishes them with Nats-Msg-Id = item id.
 */
export async function publishFeedItems(
  trx: Transaction<NotificationDatabase>,
  event: FeedSourceEvent,
): Promise<void> {
  const rows = feedOutboxRows(event);
  if (rows.length === 0) return;
  await trx
    .insertInto('outbox')
    .values(rows)
    .onConflict((oc) => oc.column('event_id').doNothing())
    .execute();
}

/**
 * An event's feed items as outbox rows. A stored notification's item has the
 * notification's id, so writing it twice (with the notification, and by the durable
 * retired for that job) leaves one row: the caller inserts with `ON CONFLICT DO NOTHING`.
 */
export function feedOutboxRows(
  event: FeedSourceEvent,
): Insertable<NotificationDatabase['outbox']>[] {
  return feedItemsFor(event).map((planned) => {
    const item = FeedItemV1.parse({ id: feedItemId(planned), ...planned });
    return {
      event_id: item.id,
      subject: feedSubject(item.company_id, item.user_id),
      payload: JSON.stringify(item),
      traceparent: event.traceparent ?? null,
    };
  });
}

function feedItemId(planned: PlannedFeedItem): string {
  return planned.type === 'notification' ? planned.notification.id : uuidv7();
}
