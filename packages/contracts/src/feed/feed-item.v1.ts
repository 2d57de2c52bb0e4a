import { z } from 'zod';
import { IsoDateTime, Uuid } from '../common.js';
import { NotificationKind } from '../rest/notifications.js';

/**
 * The per-user feed behind `GET /api/stream`: one JetStream stream, one subject per person
 * (`countersign.feed.<company_id>.<user_id>`), written by the notification service through
 * its outbox. A reader filters on one subject, so it can only ever see that person's items.
 * The stream keeps items for `maxAgeDays`: that is how far back `Last-Event-ID` can resume.
 */
export const FeedStream = {
  name: 'COUNTERSIGN_FEED',
  subjects: 'countersign.feed.>',
  maxAgeDays: 7,
} as const;

/** The one subject holding a person's feed. Ids are UUIDs, so they contain no `.` or wildcard. */
export function feedSubject(companyId: string, userId: string): string {
  return `countersign.feed.${companyId}.${userId}`;
}

/**
 * What happened to one of the person's own expenses, as the status it now has. `routed`
 * and `step_approved` leave it `pending`; `deleted` hides it (soft delete).
 */
export const FeedExpenseChange = z.enum([
  'submitted',
  'auto_approved',
  'blocked',
  'routed',
  'routing_failed',
  'step_approved',
  'approved',
  'rejected',
  'sent_back',
  'resubmitted',
  'withdrawn',
  'deleted',
  'paid',
]);
export type FeedExpenseChange = z.infer<typeof FeedExpenseChange>;

export const FeedExpenseStatus = z.enum([
  'pending',
  'approved',
  'rejected',
  'refused',
  'sent_back',
  'withdrawn',
  'blocked',
  'deleted',
  'paid',
]);
export type FeedExpenseStatus = z.infer<typeof FeedExpenseStatus>;

const feedItemBase = {
  id: Uuid.meta({ description: 'The feed item id (also its Nats-Msg-Id)' }),
  company_id: Uuid,
  user_id: Uuid.meta({ description: 'The person whose feed this is' }),
  occurred_at: IsoDateTime,
  source_event_id: Uuid.meta({ description: 'The id of the event this item comes from' }),
};

export const FeedNotificationItemV1 = z
  .object({
    ...feedItemBase,
    type: z.literal('notification'),
    notification: z.object({
      id: Uuid,
      kind: NotificationKind,
      expense_id: Uuid.nullable(),
      message: z.string(),
    }),
  })
  .meta({ id: 'FeedNotificationItem.v1' });

export const FeedExpenseStatusItemV1 = z
  .object({
    ...feedItemBase,
    type: z.literal('expense.status'),
    expense: z.object({
      id: Uuid,
      change: FeedExpenseChange,
      status: FeedExpenseStatus,
    }),
  })
  .meta({ id: 'FeedExpenseStatusItem.v1' });

/** One item of a person's feed; on the SSE stream the `event:` name is its `type`. */
export const FeedItemV1 = z
  .discriminatedUnion('type', [FeedNotificationItemV1, FeedExpenseStatusItemV1])
  .meta({ id: 'FeedItem.v1' });
export type FeedItemV1 = z.infer<typeof FeedItemV1>;

/**
 * Sent (as `event: resync`) when a `Last-Event-ID` cannot be resumed: older than what the
 * feed keeps, or from another feed. The client should reload its state over REST; the
 * stream then carries new items only.
 */
export const FeedResyncV1 = z
  .object({
    reason: z.enum(['expired', 'unknown_id']),
    message: z.string(),
  })
  .meta({ id: 'FeedResync.v1' });
export type FeedResyncV1 = z.infer<typeof FeedResyncV1>;

/**
 * A short-lived, single-purpose credential for opening `GET /api/stream?ticket=…` from a
 * browser's EventSource, which cannot send an Authorization header. It is signed for the
 * stream's own audience, so no other route accepts it.
 */
export const StreamTicket = z
  .object({
    ticket: z.string().meta({ description: 'Pass as ?ticket= to GET /api/stream' }),
    expires_in: z.number().int().meta({ description: 'Seconds left to open a stream with it' }),
  })
  .meta({ id: 'StreamTicket' });
export type StreamTicket = z.infer<typeof StreamTicket>;
