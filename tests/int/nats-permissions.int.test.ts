import {
  DurableConsumers,
  EventCatalogue,
  FeedStream,
  feedSubject,
  type ProducingService,
  Streams,
} from '@countersign/contracts';
import {
  connectNats,
  consumerInfo,
  createLogger,
  deleteIgnoringMissing,
  ensureDurableConsumer,
  ensureFeedStream,
  ensureStream,
  type NatsConnection,
  natsInboxPrefix,
  natsServices,
  newEvent,
} from '@countersign/platform';
import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFeedReader } from '../../services/gateway/src/messaging/feed-reader.js';
import { SecureNats } from '../support/secure-nats.js';

// The bus as deployed: the generated users and permissions, no anonymous access.
let nats: SecureNats;
let admin: NatsConnection;
const company = '0197a000-0000-7000-8000-0000000000c1';

beforeAll(async () => {
  nats = await SecureNats.start();
  admin = await nats.connectAs('admin');
});
afterAll(async () => {
  await admin?.close();
  await nats?.stop();
});

/** A connection as the service, with its inbox prefix, as startMessaging makes it. */
function connectAsService(service: ProducingService): Promise<NatsConnection> {
  return nats.connectAs(service, natsInboxPrefix(service));
}

/** A well-formed event of any type, for the bytes on the wire; the schema is not checked here. */
function anEvent(type: keyof typeof EventCatalogue) {
  return JSON.stringify(
    newEvent('TeamCreated', {
      companyId: company,
      actor: { kind: 'system', id: 'test' },
      subject: crypto.randomUUID(),
      data: { team: { id: crypto.randomUUID(), name: type } },
    }),
  );
}

async function messagesIn(stream: string): Promise<number> {
  const jsm = await jetstreamManager(admin);
  return (await jsm.streams.info(stream)).state.messages;
}

describe('the bus refuses who has no credentials', () => {
  it('an anonymous client cannot connect', async () => {
    await expect(connect({ servers: nats.url, maxReconnectAttempts: 0 })).rejects.toThrow(
      /authorization/i,
    );
  });

  it('a wrong password cannot connect', async () => {
    await expect(
      connectNats(nats.url, 'intruder', { user: 'approval', password: 'guessed' }),
    ).rejects.toThrow(/authorization/i);
  });
});

describe('each service may do what it needs and nothing more', () => {
  // Stream by stream, in the order a cold start meets them: anyone creates what is missing.
  it('every service starts on an empty server: creates missing streams, updates only its own', async () => {
    for (const service of natsServices) {
      const nc = await connectAsService(service);
      const jsm = await jetstreamManager(nc);
      for (const stream of Object.keys(Streams) as ProducingService[]) {
        await ensureStream(jsm, stream, { replicas: 1, owner: stream === service });
      }
      await ensureFeedStream(jsm, { replicas: 1, owner: service === 'notification' });
      await nc.close();
    }
    const approval = await jetstreamManager(await connectAsService('approval'));
    const gateway = Streams.gateway;
    const config = (await approval.streams.info(gateway)).config;
    await expect(approval.streams.update(gateway, { ...config, max_msgs: 10 })).rejects.toThrow();
    await expect(approval.streams.delete(Streams.approval)).rejects.toThrow();
  });

  it('each service publishes its own events, and no other service can publish them', async () => {
    for (const producer of natsServices) {
      const own = Object.values(EventCatalogue).filter((entry) => entry.producer === producer);
      if (own.length === 0) continue;
      const nc = await connectAsService(producer);
      const js = jetstream(nc);
      for (const entry of own) {
        const ack = await js.publish(entry.subject, anEvent('TeamCreated'));
        expect(ack.stream).toBe(Streams[producer]);
      }
      await nc.close();
    }
    for (const service of natsServices) {
      for (const producer of natsServices.filter((other) => other !== service)) {
        const theirs = Object.values(EventCatalogue).find((entry) => entry.producer === producer);
        if (!theirs) continue;
        const before = await messagesIn(Streams[producer]);
        const nc = await connectAsService(service);
        await expect(
          jetstream(nc).publish(theirs.subject, anEvent('TeamCreated'), { timeout: 2_000 }),
        ).rejects.toThrow(/permission/i);
        nc.publish(theirs.subject, anEvent('TeamCreated'));
        await nc.flush();
        await nc.close();
        expect(await messagesIn(Streams[producer]), `${service} → ${theirs.subject}`).toBe(before);
      }
    }
  });

  it("the notification service's credentials cannot publish a directory event", async () => {
    const nc = await connectAsService('notification');
    const before = await messagesIn(Streams.approval);
    await expect(
      jetstream(nc).publish(EventCatalogue.UserAdded.subject, anEvent('UserAdded'), {
        timeout: 2_000,
      }),
    ).rejects.toThrow(/permission/i);
    expect(await messagesIn(Streams.approval)).toBe(before);
    await nc.close();
  });

  it('each service creates, pulls from, acks and deletes its own durables, and no one else may', async () => {
    const adminJsm = await jetstreamManager(admin);
    for (const service of natsServices) {
      const nc = await connectAsService(service);
      const jsm = await jetstreamManager(nc);
      const js = jetstream(nc);
      for (const entry of DurableConsumers[service]) {
        const stream = Streams[entry.stream];
        if (entry.legacy) {
          // A durable an older release left: found, then deleted by its successor's service.
          await adminJsm.consumers.add(stream, {
            durable_name: entry.durable,
            ack_policy: AckPolicy.Explicit,
          });
          expect(await consumerInfo(jsm, stream, entry.durable)).toBeDefined();
          await deleteIgnoringMissing(jsm, stream, entry.durable);
          expect(await consumerInfo(adminJsm, stream, entry.durable)).toBeUndefined();
          continue;
        }
        await ensureDurableConsumer(jsm, {
          stream,
          durable: entry.durable,
          maxDeliver: 6,
          ackWaitMs: 30_000,
          maxAckPending: 16,
        });
        await jetstream(admin).publish(
          Object.values(EventCatalogue).find((event) => event.producer === entry.stream)?.subject ??
            '',
          anEvent('TeamCreated'),
        );
        const consumer = await js.consumers.get(stream, entry.durable);
        const msg = await consumer.next({ expires: 5_000 });
        expect(msg, `${service} pulls ${entry.durable}`).not.toBeNull();
        expect(await msg?.ackAck()).toBe(true);
      }
      await nc.close();
    }
    // The notification service may not read approval's durable, nor take its messages.
    const nc = await connectAsService('notification');
    const jsm = await jetstreamManager(nc);
    await expect(
      jsm.consumers.info(Streams.expense, 'approval-on-expense-events'),
    ).rejects.toThrow();
    await expect(
      jsm.consumers.add(Streams.approval, {
        durable_name: 'eavesdrop',
        ack_policy: AckPolicy.None,
      }),
    ).rejects.toThrow();
    await nc.close();
  });

  it('no service receives on another service’s inbox or on event subjects', async () => {
    const nc = await connectAsService('notification');
    const errors: string[] = [];
    (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'error') errors.push(String(status.error));
      }
    })().catch(() => undefined);
    nc.subscribe('countersign.approval.>');
    nc.subscribe(`${natsInboxPrefix('approval')}.>`);
    await nc.flush();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(errors.join(' ')).toMatch(/permissions violation for subscription/i);
    await nc.close();
  });

  it('notification writes the feed and the gateway reads it', async () => {
    const notification = await connectAsService('notification');
    const person = crypto.randomUUID();
    const item = {
      id: crypto.randomUUID(),
      type: 'notification',
      company_id: company,
      user_id: person,
    };
    const ack = await jetstream(notification).publish(
      feedSubject(company, person),
      JSON.stringify(item),
    );
    expect(ack.stream).toBe(FeedStream.name);
    await notification.close();
    const gateway = await connectAsService('gateway');
    const reader = createFeedReader(gateway, createLogger('feed-test', 'silent'));
    expect((await reader.state()).lastSeq).toBeGreaterThanOrEqual(ack.seq);
    // Opening creates the ordered consumer (a refused create would throw here).
    await reader.open(feedSubject(company, person), ack.seq);
    await expect(
      jetstream(gateway).publish(feedSubject(company, person), '{}', { timeout: 2_000 }),
    ).rejects.toThrow(/permission/i);
    await gateway.close();
  });
});
