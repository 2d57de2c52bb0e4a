import { createLogger, type MessagingTables, OutboxRelay } from '@countersign/platform';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection, nanos } from '@nats-io/transport-node';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshMessagingSchema, INT_DATABASE_URL } from '../support/int-database.js';

const STREAM = 'COUNTERSIGN_TEST_RELAY';
const SUBJECT = 'countersign-test.relay.event';
const logger = createLogger('relay-test', 'silent');

let db: Kysely<MessagingTables>;
let nc: NatsConnection;

beforeAll(async () => {
  db = await freshMessagingSchema('relay_test');
  nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.delete(STREAM).catch(() => false);
  await jsm.streams.add({
    name: STREAM,
    subjects: ['countersign-test.relay.>'],
    duplicate_window: nanos(120_000),
  });
});
afterAll(async () => {
  await nc?.close();
  await db?.destroy();
});

async function addRows(count: number, offset: number) {
  const rows = Array.from({ length: count }, (_, i) => {
    const n = offset + i;
    const eventId = `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`;
    return {
      event_id: eventId,
      subject: SUBJECT,
      payload: JSON.stringify({ id: eventId, n }),
      traceparent: null,
    };
  });
  await db.insertInto('outbox').values(rows).execute();
}

async function streamMessages(): Promise<number> {
  return (await (await jetstreamManager(nc)).streams.info(STREAM)).state.messages;
}

const relay = (batchSize = 50) =>
  new OutboxRelay({
    db,
    js: jetstream(nc),
    logger,
    databaseUrl: INT_DATABASE_URL,
    schema: 'relay_test',
    batchSize,
    pollIntervalMs: 50,
  });

/** The `n` of every message in the stream, in stream order, from sequence `from` on. */
async function streamOrder(from: number, count: number): Promise<number[]> {
  const consumer = await jetstream(nc).consumers.get(STREAM, {
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: from,
  });
  const order: number[] = [];
  const messages = await consumer.fetch({ max_messages: count, expires: 5_000 });
  for await (const msg of messages) order.push((msg.json() as { n: number }).n);
  return order;
}

const unsentCount = async () =>
  Number(
    (
      await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('sent_at', 'is', null)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('outbox relay', () => {
  it('two relays share the rows: each event is published once and every row is marked sent', async () => {
    // A core subscriber sees every publish, including ones JetStream would deduplicate,
    // so it catches two relays sending the same row.
    const published: string[] = [];
    const tap = nc.subscribe(SUBJECT, {
      callback: (_error, msg) => {
        published.push(msg.headers?.get('Nats-Msg-Id') ?? '');
      },
    });
    await addRows(1000, 0);
    const relays = [relay(), relay()];
    await Promise.all(relays.map((r) => r.start()));
    const deadline = Date.now() + 20_000;
    for (;;) {
      const unsent = await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('sent_at', 'is', null)
        .executeTakeFirstOrThrow();
      if (Number(unsent.n) === 0 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await Promise.all(relays.map((r) => r.stop()));
    await nc.flush();
    tap.unsubscribe();
    expect(published).toHaveLength(1000);
    expect(new Set(published).size).toBe(1000);
    expect(await streamMessages()).toBe(1000);
  });

  it('a crash between publish and mark re-publishes, and JetStream drops the copies', async () => {
    await db.updateTable('outbox').set({ sent_at: null }).execute(); // as if no mark had committed
    const again = relay(500);
    expect(await again.drainOnce()).toBe(500);
    expect(await again.drainOnce()).toBe(500);
    expect(await again.drainOnce()).toBe(0);
    expect(await streamMessages()).toBe(1000);
  });

  it('publishes a batch with pipelined acks in id order, each row once, and marks it sent', async () => {
    const firstSequence = (await streamMessages()) + 1;
    await addRows(450, 20_000);
    const published: string[] = [];
    const tap = nc.subscribe(SUBJECT, {
      callback: (_error, msg) => {
        published.push(msg.headers?.get('Nats-Msg-Id') ?? '');
      },
    });
    // Batches of 200, 200 and 50: order must hold within and across batches.
    const ordered = relay(200);
    expect(await ordered.drainOnce()).toBe(200);
    expect(await ordered.drainOnce()).toBe(200);
    expect(await ordered.drainOnce()).toBe(50);
    expect(await ordered.drainOnce()).toBe(0);
    await nc.flush();
    tap.unsubscribe();
    expect(published).toHaveLength(450);
    expect(new Set(published).size).toBe(450);
    expect(await streamOrder(firstSequence, 450)).toEqual(
      Array.from({ length: 450 }, (_, i) => 20_000 + i),
    );
    expect(await unsentCount()).toBe(0);
  });

  it('a running relay marks what a pass published with its next claim, and the rest on stop', async () => {
    await addRows(30, 30_000);
    const running = new OutboxRelay({
      db,
      js: jetstream(nc),
      logger,
      databaseUrl: INT_DATABASE_URL,
      schema: 'relay_test',
      pollIntervalMs: 60_000,
      markDelayMs: 60_000,
      leaseMs: 600_000,
    });
    await running.start();
    // Published, then left unmarked: no NOTIFY, no poll and no mark delay is due.
    const deadline = Date.now() + 20_000;
    while ((await streamMessages()) < 1480 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await streamMessages()).toBe(1480);
    expect(await unsentCount()).toBe(30);
    // The next write's NOTIFY wakes the relay: one statement marks the 30 and claims it.
    await addRows(1, 30_030);
    while ((await streamMessages()) < 1481 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await eventuallyTrue(async () => (await unsentCount()) === 1);
    await running.stop();
    expect(await unsentCount()).toBe(0);
  });

  it('a row committed later is picked up by a running relay without waiting for a poll', async () => {
    const running = new OutboxRelay({
      db,
      js: jetstream(nc),
      logger,
      databaseUrl: INT_DATABASE_URL,
      schema: 'relay_test',
      pollIntervalMs: 60_000,
    });
    await running.start();
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the first pass find nothing
    await db.transaction().execute(async (trx) => {
      // No explicit NOTIFY: the outbox trigger wakes the relay when this commits.
      await trx
        .insertInto('outbox')
        .values({
          event_id: '00000000-0000-7000-8000-000000009999',
          subject: SUBJECT,
          payload: JSON.stringify({ n: 9999 }),
          traceparent: null,
        })
        .execute();
    });
    // Bounded wait, generous for a loaded machine: the NOTIFY wakes the relay long before.
    const deadline = Date.now() + 20_000;
    while ((await streamMessages()) < 1482 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await running.stop();
    expect(await streamMessages()).toBe(1482);
  });
});

async function eventuallyTrue(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
