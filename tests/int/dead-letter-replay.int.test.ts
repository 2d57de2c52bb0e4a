import { EventCatalogue, Streams, streamSubjects } from '@countersign/contracts';
import {
  ConflictError,
  createLogger,
  EventConsumer,
  ensureDurableConsumer,
  type MessagingTables,
  newEvent,
  OutboxRelay,
  outboxRows,
} from '@countersign/platform';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection, nanos } from '@nats-io/transport-node';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshMessagingSchema, INT_DATABASE_URL } from '../support/int-database.js';

/**
 * The poison-message replay of docs/OPERATIONS.md, run as written: an event one durable
 * dead-lettered is published again by marking its outbox row unsent; that durable handles
 * it, and another durable of the same stream, which had handled it, skips it.
 */
const SCHEMA = 'replay_test';
const stream = Streams.notification;
const logger = createLogger('replay-test', 'silent');
/** The real streams keep 2 minutes; a replay comes later than that. Here, 1 s. */
const duplicateWindowMs = 1_000;

let db: Kysely<MessagingTables>;
let nc: NatsConnection;

beforeAll(async () => {
  db = await freshMessagingSchema(SCHEMA);
  nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(stream).catch(() => false);
  await jsm.streams.add({
    name: stream,
    subjects: [streamSubjects('notification')],
    duplicate_window: nanos(duplicateWindowMs),
  });
});
afterAll(async () => {
  await nc?.close();
  await db?.destroy();
});

async function consumer(
  durable: string,
  handle: () => void,
): Promise<EventConsumer<MessagingTables>> {
  await ensureDurableConsumer(await jetstreamManager(nc), {
    stream,
    durable,
    filterSubject: EventCatalogue.NotificationCreated.subject,
    maxDeliver: 4,
    ackWaitMs: 5_000,
    maxAckPending: 100,
  });
  const started = new EventConsumer<MessagingTables>({
    js: jetstream(nc),
    db,
    logger,
    stream,
    durable,
    maxDeliver: 4,
    retryDelaysMs: [50, 50, 50],
    concurrency: 1,
    handlers: { NotificationCreated: async () => handle() },
  });
  started.start();
  return started;
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const settled = async (durable: string) => {
  const info = await (await jetstreamManager(nc)).consumers.info(stream, durable);
  return info.num_pending === 0 && info.num_ack_pending === 0;
};

describe('replaying a dead letter from the outbox', () => {
  it('the durable that dead-lettered the event handles it; the others skip it', async () => {
    let poisoned = true;
    const handled = { fixed: 0, other: 0 };
    const fixed = await consumer('replay-fixed', () => {
      // A bug that gives up at once (a domain error), until the fix is "deployed".
      if (poisoned) throw new ConflictError('bug in the handler');
      handled.fixed += 1;
    });
    const other = await consumer('replay-other', () => {
      handled.other += 1;
    });
    const relay = new OutboxRelay({
      db,
      js: jetstream(nc),
      logger,
      databaseUrl: INT_DATABASE_URL,
      schema: SCHEMA,
      pollIntervalMs: 50,
    });
    await relay.start();
    try {
      const id = crypto.randomUUID();
      const event = newEvent('NotificationCreated', {
        companyId: '0197a000-0000-7000-8000-000000000001',
        actor: { kind: 'system', id: 'test' },
        subject: id,
        data: {
          notification_id: id,
          recipient_id: id,
          kind: 'approval_requested',
          expense_id: id,
          message: 'm',
        },
      });
      await db
        .insertInto('outbox')
        .values(outboxRows([event]))
        .execute();
      const deadLetters = () =>
        db.selectFrom('dead_letter').selectAll().where('consumer', '=', 'replay-fixed').execute();
      await until(
        async () => (await deadLetters()).length === 1 && (await settled('replay-other')),
      );
      expect(handled).toEqual({ fixed: 0, other: 1 });
      const [letter] = await deadLetters();
      expect(letter?.event_id).toBe(event.id);

      poisoned = false;
      await new Promise((resolve) => setTimeout(resolve, duplicateWindowMs + 200));
      // The documented statement, in the producer's schema.
      await sql`update ${sql.id(SCHEMA, 'outbox')} set sent_at = null, lease_until = null
        where event_id = ${letter?.event_id}`.execute(db);

      await until(() => handled.fixed === 1);
      await until(async () => (await settled('replay-fixed')) && (await settled('replay-other')));
      const info = await (await jetstreamManager(nc)).streams.info(stream);
      expect(info.state.messages).toBe(2);
      expect(handled).toEqual({ fixed: 1, other: 1 });
    } finally {
      await fixed.stop();
      await other.stop();
      await relay.stop();
    }
  });
});
