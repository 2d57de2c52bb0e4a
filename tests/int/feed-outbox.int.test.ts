import { randomUUID } from 'node:crypto';
import { FeedItemV1, FeedStream, feedSubject } from '@countersign/contracts';
import {
  createLogger,
  ensureFeedStream,
  type MessagingTables,
  newEvent,
  OutboxRelay,
} from '@countersign/platform';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Kysely, Transaction } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationDatabase } from '../../services/notification/src/db/types.js';
import { publishFeedItems } from '../../services/notification/src/use-cases/publish-feed-items.js';
import { freshMessagingSchema, INT_DATABASE_URL } from '../support/int-database.js';

const SCHEMA = 'feed_outbox_test';
let db: Kysely<MessagingTables>;
let nc: NatsConnection;

beforeAll(async () => {
  db = await freshMessagingSchema(SCHEMA);
  nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
  await ensureFeedStream(await jetstreamManager(nc));
});
afterAll(async () => {
  await nc?.close();
  await db?.destroy();
});

const relay = () =>
  new OutboxRelay({
    db,
    js: jetstream(nc),
    logger: createLogger('feed-outbox-test', 'silent'),
    databaseUrl: INT_DATABASE_URL,
    schema: SCHEMA,
  });

describe('feed items through the outbox', () => {
  it('are published on the reader’s own subject, once, however often the relay retries', async () => {
    // A company of its own, so the subject holds only this test's items.
    const company = randomUUID();
    const submitter = randomUUID();
    const expenseId = randomUUID();
    const event = newEvent('ExpenseRejected', {
      companyId: company,
      actor: { kind: 'user', id: randomUUID() },
      subject: expenseId,
      data: {
        expense_id: expenseId,
        step: 1,
        approver_id: randomUUID(),
        submitter_id: submitter,
        reason: 'No receipt',
        rejected_at: new Date().toISOString(),
        skipped_steps: [],
      },
    });
    await db.transaction().execute(async (trx) => {
      // The use case needs only the outbox, which every messaging schema has.
      await publishFeedItems(trx as unknown as Transaction<NotificationDatabase>, event);
    });
    expect(await relay().drainOnce()).toBe(1);
    // A relay that crashed before marking the row sent publishes it again.
    await db.updateTable('outbox').set({ sent_at: null, lease_until: null }).execute();
    expect(await relay().drainOnce()).toBe(1);

    const consumer = await jetstream(nc).consumers.get(FeedStream.name, {
      filter_subjects: feedSubject(company, submitter),
      deliver_policy: DeliverPolicy.All,
    });
    const msg = await consumer.next({ expires: 5_000 });
    expect(msg).not.toBeNull();
    const item = FeedItemV1.parse(msg?.json());
    expect(item).toMatchObject({
      type: 'expense.status',
      company_id: company,
      user_id: submitter,
      source_event_id: event.id,
      expense: { id: expenseId, change: 'rejected', status: 'rejected' },
    });
    expect(msg?.headers?.get('Nats-Msg-Id')).toBe(item.id);
    // The copy was dropped by the stream's duplicate window: nothing else is pending.
    expect((await consumer.info()).num_pending).toBe(0);
    await consumer.delete();
  });
});
