import { EventCatalogue, Streams } from '@countersign/contracts';
import {
  consumerInfo,
  createLogger,
  EventConsumer,
  ensureDurableConsumer,
  ensureStream,
  type MessagingTables,
  newEvent,
  startMessaging,
} from '@countersign/platform';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshMessagingSchema, INT_DATABASE_URL } from '../support/int-database.js';

const SUBJECT = EventCatalogue.NotificationCreated.subject;
const logger = createLogger('consumer-test', 'silent');
const company = '0197a000-0000-7000-8000-000000000001';

let db: Kysely<MessagingTables>;
let nc: NatsConnection;

beforeAll(async () => {
  db = await freshMessagingSchema('consumer_test');
  nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
});
beforeEach(async () => {
  // Nothing in the services consumes NotificationCreated yet: each test starts its stream
  // empty, so a consumer sees only the messages its own test publishes.
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(Streams.notification).catch(() => false);
  await ensureStream(jsm, 'notification');
});
afterAll(async () => {
  await nc?.close();
  await db?.destroy();
});

function notificationEvent(message: string) {
  const id = crypto.randomUUID();
  return newEvent('NotificationCreated', {
    companyId: company,
    actor: { kind: 'system', id: 'test' },
    subject: id,
    data: {
      notification_id: id,
      recipient_id: id,
      kind: 'approval_requested',
      expense_id: id,
      message,
    },
  });
}

/** Fast retries, 50 ms apart: a third failed delivery is dead-lettered (the fourth is spare). */
async function startConsumer(durable: string, handle: (message: string) => void, concurrency = 2) {
  await ensureDurableConsumer(await jetstreamManager(nc), {
    stream: Streams.notification,
    durable,
    filterSubject: SUBJECT,
    maxDeliver: 4,
    ackWaitMs: 5_000,
    maxAckPending: 100,
  });
  const consumer = new EventConsumer<MessagingTables>({
    js: jetstream(nc),
    db,
    logger,
    stream: Streams.notification,
    durable,
    maxDeliver: 4,
    retryDelaysMs: [50, 50, 50],
    concurrency,
    handlers: { NotificationCreated: async (_trx, event) => handle(event.data.message) },
  });
  consumer.start();
  return consumer;
}

async function publish(body: unknown): Promise<void> {
  await jetstream(nc).publish(SUBJECT, typeof body === 'string' ? body : JSON.stringify(body));
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const deadLetters = (durable: string) =>
  db.selectFrom('dead_letter').selectAll().where('consumer', '=', durable).execute();

describe('event consumer against real NATS and PostgreSQL', () => {
  it('retries a transient failure with a delay and handles the event once it succeeds', async () => {
    const attempts: string[] = [];
    const done: string[] = [];
    const consumer = await startConsumer('test-transient', (message) => {
      attempts.push(message);
      if (attempts.filter((m) => m === message).length < 3) throw new Error('database hiccup');
      done.push(message);
    });
    const event = notificationEvent('flaky');
    await publish(event);
    await until(() => done.length === 1);
    await consumer.stop();
    expect(attempts).toEqual(['flaky', 'flaky', 'flaky']);
    expect(await deadLetters('test-transient')).toEqual([]);
    const inbox = await db
      .selectFrom('inbox')
      .selectAll()
      .where('consumer', '=', 'test-transient')
      .execute();
    expect(inbox.map((row) => row.event_id)).toEqual([event.id]);
  });

  it('dead-letters an event that keeps failing, and then stops trying', async () => {
    let attempts = 0;
    const consumer = await startConsumer('test-exhausted', () => {
      attempts += 1;
      throw new Error('always broken');
    });
    const event = notificationEvent('doomed');
    await publish(event);
    await until(async () => (await deadLetters('test-exhausted')).length === 1);
    await new Promise((resolve) => setTimeout(resolve, 600)); // long past any retry delay
    await consumer.stop();
    const [letter] = await deadLetters('test-exhausted');
    expect(letter).toMatchObject({ event_id: event.id, error: 'always broken', deliveries: 3 });
    expect(attempts).toBe(3);
    expect(consumer.deadLettered).toBe(1);
  });

  it('terms a malformed message at once and still handles the good ones around it', async () => {
    const done: string[] = [];
    const consumer = await startConsumer('test-poison', (message) => {
      done.push(message);
    });
    await publish(notificationEvent('before'));
    await publish('{"not":"an event"}');
    await publish(notificationEvent('after'));
    await until(async () => done.length === 2 && (await deadLetters('test-poison')).length === 1);
    await consumer.stop();
    expect(done.sort()).toEqual(['after', 'before']);
    const [letter] = await deadLetters('test-poison');
    expect(letter).toMatchObject({ event_id: null, deliveries: 1 });
    expect(letter?.error).toMatch(/does not match NotificationCreated/);
  });

  it('a batch holding the same event twice handles it once', async () => {
    const event = notificationEvent('twice');
    // One slot: 'first' is handled alone, and the rest queue up behind it to form one
    // batch, which holds the same event id twice (two message ids, so JetStream keeps
    // both; the inbox must not).
    await jetstream(nc).publish(SUBJECT, JSON.stringify(notificationEvent('first')), {
      msgID: 'f',
    });
    await jetstream(nc).publish(SUBJECT, JSON.stringify(event), { msgID: 'a' });
    await jetstream(nc).publish(SUBJECT, JSON.stringify(event), { msgID: 'b' });
    await jetstream(nc).publish(SUBJECT, JSON.stringify(notificationEvent('other')), {
      msgID: 'c',
    });
    const done: string[] = [];
    const consumer = await startConsumer(
      'test-duplicate',
      (message) => {
        done.push(message);
      },
      1,
    );
    await until(async () => {
      const info = await (await jetstreamManager(nc)).consumers.info(
        Streams.notification,
        'test-duplicate',
      );
      return (
        info.num_ack_pending === 0 && info.num_pending === 0 && info.delivered.consumer_seq >= 4
      );
    });
    await consumer.stop();
    expect(done.sort()).toEqual(['first', 'other', 'twice']);
  });
});

describe('a durable that takes over from others', () => {
  const policy = { maxDeliver: 4, ackWaitMs: 5_000, maxAckPending: 100 };
  const stream = Streams.notification;

  /** Reads `read` messages through a durable and acks the first `acked` of them. */
  async function readThrough(
    durable: string,
    read: number,
    acked: number,
    filterSubject: string = SUBJECT,
  ): Promise<void> {
    const jsm = await jetstreamManager(nc);
    await ensureDurableConsumer(jsm, { stream, durable, filterSubject, ...policy });
    const consumer = await jetstream(nc).consumers.get(stream, durable);
    const batch = await consumer.fetch({ max_messages: read, expires: 2_000 });
    let seen = 0;
    for await (const msg of batch) {
      seen += 1;
      if (seen <= acked) await msg.ackAck();
    }
  }

  it('starts at the first message any of them had not finished, then deletes them', async () => {
    for (const message of ['one', 'two', 'three', 'four'])
      await publish(notificationEvent(message));
    await readThrough('old-done', 4, 4);
    await readThrough('old-behind', 3, 1); // two delivered and not acked: 2 is unfinished
    const jsm = await jetstreamManager(nc);
    const takeOver = {
      stream,
      durable: 'successor',
      replaces: ['old-done', 'old-behind', 'old-never'],
      ...policy,
    };
    await ensureDurableConsumer(jsm, takeOver);
    await ensureDurableConsumer(jsm, takeOver); // a second replica starting changes nothing

    const successor = await consumerInfo(jsm, stream, 'successor');
    expect(successor?.config).toMatchObject({
      deliver_policy: 'by_start_sequence',
      opt_start_seq: 2,
    });
    expect(successor?.num_pending).toBe(3);
    expect(await consumerInfo(jsm, stream, 'old-done')).toBeUndefined();
    expect(await consumerInfo(jsm, stream, 'old-behind')).toBeUndefined();
  });

  it('a filtered durable that matched nothing lately hands over the position it reached', async () => {
    await publish(notificationEvent('one'));
    await publish(notificationEvent('two'));
    // Its ack floor stays at its last match (none here); what it has passed is `delivered`.
    await readThrough('old-filtered', 1, 1, 'countersign.notification.nothing.v1');
    const jsm = await jetstreamManager(nc);
    await ensureDurableConsumer(jsm, {
      stream,
      durable: 'after-filtered',
      replaces: ['old-filtered'],
      ...policy,
    });
    const successor = await consumerInfo(jsm, stream, 'after-filtered');
    expect(successor?.config.opt_start_seq).toBe(3);
    expect(successor?.num_pending).toBe(0);
  });

  it('with none of them there, reads the stream from its start', async () => {
    await publish(notificationEvent('one'));
    const jsm = await jetstreamManager(nc);
    await ensureDurableConsumer(jsm, {
      stream,
      durable: 'first-ever',
      replaces: ['never-was'],
      ...policy,
    });
    const successor = await consumerInfo(jsm, stream, 'first-ever');
    expect(successor?.config.deliver_policy).toBe('all');
    expect(successor?.num_pending).toBe(1);
  });
});

describe('a retiring durable', () => {
  it('is read until nothing is pending, then deleted; one that is gone is not created', async () => {
    const jsm = await jetstreamManager(nc);
    const stream = Streams.notification;
    await ensureDurableConsumer(jsm, {
      stream,
      durable: 'retiring',
      filterSubject: SUBJECT,
      maxDeliver: 4,
      ackWaitMs: 5_000,
      maxAckPending: 100,
    });
    await publish(notificationEvent('left behind 1'));
    await publish(notificationEvent('left behind 2'));
    const handled: string[] = [];
    const retire = (durable: string) => ({
      stream,
      durable,
      filterSubject: SUBJECT,
      retiring: true,
      handlers: {
        NotificationCreated: async (_trx: unknown, event: { data: { message: string } }) => {
          handled.push(event.data.message);
        },
      },
    });
    const messaging = await startMessaging({
      natsUrl: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
      databaseUrl: INT_DATABASE_URL,
      schema: 'consumer_test',
      service: 'retire-test',
      db,
      logger,
      consumers: [retire('retiring'), retire('long-gone')],
    });
    try {
      await until(async () => !(await consumerInfo(jsm, stream, 'retiring')));
      expect(handled.sort()).toEqual(['left behind 1', 'left behind 2']);
      expect(await consumerInfo(jsm, stream, 'long-gone')).toBeUndefined();
    } finally {
      await messaging.stop();
    }
  });
});
