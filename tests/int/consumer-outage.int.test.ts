import { EventCatalogue, Streams } from '@countersign/contracts';
import {
  createDatabase,
  createLogger,
  EventConsumer,
  ensureDurableConsumer,
  ensureStream,
  type MessagingTables,
  messagingTablesV1,
  messagingTablesV2,
  migrateSchema,
  newEvent,
} from '@countersign/platform';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PrivatePostgres } from '../support/private-postgres.js';

/**
 * A consumer whose database goes away holds the message it was handling until the
 * database answers again, instead of spending its deliveries on the outage (issue 15).
 */

/** A PostgreSQL of this file's own, which it stops (5530-5539 belong to helper 3's tests). */
const PRIVATE_PG_PORT = Number(process.env.TEST_PRIVATE_PG_PORT_INT ?? 5532);
const SUBJECT = EventCatalogue.NotificationCreated.subject;
const DURABLE = 'test-outage';
const schema = 'consumer_outage';

let postgres: PrivatePostgres;
let db: Kysely<MessagingTables>;
let nc: NatsConnection;

beforeAll(async () => {
  postgres = await PrivatePostgres.start(PRIVATE_PG_PORT);
  db = createDatabase<MessagingTables>({ url: postgres.adminUrl, schema });
  await migrateSchema(db, schema, {
    '0001-messaging': messagingTablesV1,
    '0002-messaging': messagingTablesV2(schema),
  });
  nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(Streams.notification).catch(() => false);
  await ensureStream(jsm, 'notification');
  await ensureDurableConsumer(jsm, {
    stream: Streams.notification,
    durable: DURABLE,
    filterSubject: SUBJECT,
    maxDeliver: 4,
    ackWaitMs: 3_000,
    maxAckPending: 100,
  });
}, 60_000);

afterAll(async () => {
  await nc?.close();
  await db?.destroy();
  postgres?.destroy();
});

function notificationEvent(message: string) {
  const id = crypto.randomUUID();
  return newEvent('NotificationCreated', {
    companyId: '0197a000-0000-7000-8000-000000000001',
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

async function until(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('event consumer through a database outage', () => {
  it('holds the message while PostgreSQL is down and handles it once it is back, nothing dead-lettered', async () => {
    const handled: string[] = [];
    // Retries 50 ms apart and 4 deliveries: spent on the outage, they would be gone in
    // well under a second, and the message never handled.
    const consumer = new EventConsumer<MessagingTables>({
      js: jetstream(nc),
      db,
      logger: createLogger('consumer-outage-test', 'silent'),
      stream: Streams.notification,
      durable: DURABLE,
      maxDeliver: 4,
      retryDelaysMs: [50, 50, 50],
      ackWaitMs: 3_000,
      concurrency: 1,
      handlers: {
        NotificationCreated: async (_trx, event) => void handled.push(event.data.message),
      },
    });
    consumer.start();
    try {
      postgres.stop('immediate');
      await jetstream(nc).publish(SUBJECT, JSON.stringify(notificationEvent('during the outage')));
      // Longer than the ack wait too: the held message is reported as in progress meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      expect(handled).toEqual([]);
      await postgres.restart();
      await until(() => handled.length > 0);
    } finally {
      await consumer.stop();
    }
    expect(handled).toEqual(['during the outage']);
    const info = await (await jetstreamManager(nc)).consumers.info(Streams.notification, DURABLE);
    expect(info.num_ack_pending + info.num_pending).toBe(0);
    expect(await db.selectFrom('dead_letter').selectAll().execute()).toEqual([]);
  }, 60_000);
});
