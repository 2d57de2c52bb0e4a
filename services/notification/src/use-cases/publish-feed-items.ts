import { FeedItemV1, feedSubject } from '@countersign/contracts';
import type { Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { NotificationDatabase } from '../db/types.js';
import { type FeedSourceEvent, feedItemsFor } from '../domain/feed-items.js';

/**
 * Puts an event's feed items into the outbox, each on its reader's own subject
 * (`countersign.feed.<company>.<user>`), in the consumer's transaction: the inbox makes
 * this run once per event, and the relay publishes them with Nats-Msg-Id = item id.
 */
export async function publishFeedItems(
  trx: Transaction<NotificationDatabase>,
  event: FeedSourceEvent,
): Promise<void> {
  const items = feedItemsFor(event).map((planned) =>
    FeedItemV1.parse({ id: uuidv7(), ...planned }),
  );
  if (items.length === 0) return;
  await trx
    .insertInto('outbox')
    .values(
      items.map((item) => ({
        event_id: item.id,
        subject: feedSubject(item.company_id, item.user_id),
        payload: JSON.stringify(item),
        traceparent: event.traceparent ?? null,
      })),
    )
    .execute();
}
