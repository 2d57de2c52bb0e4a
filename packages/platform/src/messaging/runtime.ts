import {
  FeedStreamRoles,
  isDeclaredDurable,
  type ProducingService,
  Streams,
} from '@countersign/contracts';
import { type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { Kysely } from 'kysely';
import { pingDatabase } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { ConsumerLag, ServiceMetrics } from '../metrics/service-metrics.js';
import {
  countDeadLetters,
  countDeadLettersByConsumer,
  EventConsumer,
  type EventHandlers,
} from './consumer.js';
import {
  connectNats,
  consumerInfo,
  deleteIgnoringMissing,
  ensureAuditCheckpointStream,
  ensureDurableConsumer,
  ensureFeedStream,
  ensureStream,
  followConnection,
  type NatsClientSettings,
  type NatsConnection,
} from './nats.js';
import { OutboxRelay, outboxBacklog } from './outbox.js';
import { natsInboxPrefix } from './permissions.js';
import type { MessagingTables } from './tables.js';

export interface ConsumerSpec<DB extends MessagingTables> {
  stream: string;
  durable: string;
  filterSubject?: string;
  handlers: EventHandlers<DB>;
  /** Durables on the same stream this one takes over from (see ensureDurableConsumer). */
  replaces?: string[];
  /**
   * A durable on its way out: never created; if it still exists it is read (with its own
   * inbox name) until it has nothing pending, then deleted by whichever replica sees that.
   */
  retiring?: boolean;
}

export interface MessagingOptions<DB extends MessagingTables> {
  natsUrl: string;
  /** Credentials and TLS (natsClientSettings); none for an anonymous development NATS. */
  natsClient?: NatsClientSettings;
  /** NATS_STREAM_REPLICAS: copies of each stream; durable consumers follow their stream. */
  streamReplicas?: number;
  databaseUrl: string;
  schema: string;
  /**
   * Names the service's inbox prefix and, for one of Countersign's services, its own stream
   * and declared durables (a test's made-up name owns no stream and declares nothing).
   */
  service: string;
  db: Kysely<DB>;
  logger: Logger;
  consumers: ConsumerSpec<DB>[];
  /**
   * Reports the relay's publish latency, the outbox backlog, the durables' lag and the
   * dead letters (see watchMessaging).
   */
  metrics?: ServiceMetrics | undefined;
}

export interface MessagingRuntime {
  nats: NatsConnection;
  relay: OutboxRelay;
  consumers: EventConsumer<MessagingTables>[];
  isConnected(): boolean;
  stop(): Promise<void>;
}

/**
 * Redelivery policy shared by every consumer. A failing message is retried after 1, 5,
 * 15 and 30 s; its fifth delivery, if it fails too, is recorded as a dead letter. The
 * server allows a sixth delivery as a spare, for a process that dies while recording it.
 */
export const deliveryPolicy = {
  maxDeliver: 6,
  retryDelaysMs: [1_000, 5_000, 15_000, 30_000, 60_000],
  ackWaitMs: 30_000,
  maxAckPending: 512,
  // One batch at a time keeps a replica's handling in stream order; batching, not
  // parallel slots, is what keeps up with load.
  concurrency: 1,
};

/**
 * Connects to NATS, makes sure every stream and this service's durable consumers exist,
 * and starts the outbox relay and the consumers. `stop` reverses it: consumers stop
 * pulling and finish, the relay publishes what is committed, then the connection drains.
 */
export async function startMessaging<DB extends MessagingTables>(
  options: MessagingOptions<DB>,
): Promise<MessagingRuntime> {
  const own = options.service in Streams ? (options.service as ProducingService) : undefined;
  if (own) assertDeclaredDurables(own, options.consumers);
  const nats = await connectNats(options.natsUrl, `countersign-${options.service}`, {
    ...options.natsClient,
    inboxPrefix: natsInboxPrefix(options.service),
  });
  const natsConnected = followConnection(nats, options.logger);
  const jsm = await jetstreamManager(nats);
  const replicas = options.streamReplicas ?? 1;
  // A NATS cluster that is still electing its JetStream leader (every node just started)
  // answers these with timeouts for a while: a service starting beside it waits for it.
  await whileJetStreamWarmsUp(options.logger, async () => {
    // Services start in any order and each needs the streams it reads: any creates a
    // missing one, only the owner updates it (its NATS user may not update the others').
    for (const service of Object.keys(Streams) as ProducingService[]) {
      await ensureStream(jsm, service, { replicas, owner: own === undefined || service === own });
    }
    // The notification service writes the feed and the gateway reads it: both need it.
    await ensureFeedStream(jsm, {
      replicas,
      owner: own === undefined || own === FeedStreamRoles.writer,
    });
    // Every service signs checkpoints of its audit chains there (see audit/checkpointer.ts).
    await ensureAuditCheckpointStream(jsm, { replicas });
  });
  const js = jetstream(nats);
  const relay = new OutboxRelay({
    db: options.db as unknown as Kysely<MessagingTables>,
    js,
    logger: options.logger,
    databaseUrl: options.databaseUrl,
    schema: options.schema,
    metrics: options.metrics,
  });
  await relay.start();
  const consumers: EventConsumer<DB>[] = [];
  const retirements: Promise<void>[] = [];
  let stopping = false;
  for (const spec of options.consumers) {
    if (spec.retiring) {
      if (!(await consumerInfo(jsm, spec.stream, spec.durable))) continue;
    } else {
      await ensureDurableConsumer(jsm, {
        stream: spec.stream,
        durable: spec.durable,
        ...(spec.filterSubject ? { filterSubject: spec.filterSubject } : {}),
        ...(spec.replaces ? { replaces: spec.replaces } : {}),
        maxDeliver: deliveryPolicy.maxDeliver,
        ackWaitMs: deliveryPolicy.ackWaitMs,
        maxAckPending: deliveryPolicy.maxAckPending,
      });
    }
    const consumer = new EventConsumer<DB>({
      js,
      db: options.db,
      logger: options.logger,
      stream: spec.stream,
      durable: spec.durable,
      maxDeliver: deliveryPolicy.maxDeliver,
      retryDelaysMs: deliveryPolicy.retryDelaysMs,
      ackWaitMs: deliveryPolicy.ackWaitMs,
      concurrency: deliveryPolicy.concurrency,
      handlers: spec.handlers,
    });
    consumer.start();
    consumers.push(consumer);
    if (spec.retiring) {
      retirements.push(
        retireWhenDrained(jsm, spec, consumer, options.logger, () => stopping).catch((error) =>
          options.logger.error({ err: error, durable: spec.durable }, 'retiring durable failed'),
        ),
      );
    }
  }
  if (options.metrics) watchMessaging(options.metrics, jsm, options.db, options.consumers);
  return {
    nats,
    relay,
    consumers: consumers as unknown as EventConsumer<MessagingTables>[],
    isConnected: natsConnected,
    async stop() {
      stopping = true;
      await Promise.all(retirements);
      await Promise.all(consumers.map((c) => c.stop()));
      await relay.stop();
      await relay.drainOnce().catch(() => 0);
      await nats.drain();
    },
  };
}

/**
 * Every durable a service touches is declared in the contracts (`DurableConsumers`), from
 * which its NATS permissions are generated: one missing there would be refused by the
 * server, so it is refused here first, with a clearer message.
 */
function assertDeclaredDurables<DB extends MessagingTables>(
  service: ProducingService,
  specs: ConsumerSpec<DB>[],
): void {
  for (const spec of specs) {
    for (const durable of [spec.durable, ...(spec.replaces ?? [])]) {
      if (!isDeclaredDurable(service, spec.stream, durable)) {
        throw new Error(
          `durable ${durable} on ${spec.stream} is not declared for ${service} in DurableConsumers (packages/contracts)`,
        );
      }
    }
  }
}

/**
 * Scrape-time figures of a service's messaging: each durable's lag (a retiring one while
 * it exists), the outbox backlog, and the dead letters in the service's dead_letter table
 * (where a consumer records a message before it `term`s it; JetStream keeps no copy).
 */
function watchMessaging<DB extends MessagingTables>(
  metrics: ServiceMetrics,
  jsm: JetStreamManager,
  db: Kysely<DB>,
  specs: ConsumerSpec<DB>[],
): void {
  metrics.watchConsumers(async () => {
    const infos = await Promise.all(
      specs.map((spec) => consumerInfo(jsm, spec.stream, spec.durable)),
    );
    return infos.flatMap((info, index): ConsumerLag[] => {
      const spec = specs[index];
      if (!info || !spec) return [];
      return [
        {
          stream: spec.stream,
          durable: spec.durable,
          pending: info.num_pending,
          ackPending: info.num_ack_pending,
        },
      ];
    });
  });
  metrics.watchBacklog('outbox', () => outboxBacklog(db));
  metrics.watchDeadLetters(
    specs.filter((spec) => !spec.retiring).map((spec) => spec.durable),
    () => countDeadLettersByConsumer(db),
  );
}

const retirementCheckMs = 2_000;

/**
 * Reads a retiring durable until nothing is pending or waiting for an ack, then deletes
 * it. Another replica may delete it first; then this one just stops reading it.
 */
async function retireWhenDrained<DB extends MessagingTables>(
  jsm: JetStreamManager,
  spec: ConsumerSpec<DB>,
  consumer: EventConsumer<DB>,
  logger: Logger,
  stopping: () => boolean,
): Promise<void> {
  while (!stopping()) {
    await new Promise((resolve) => setTimeout(resolve, retirementCheckMs));
    if (stopping()) return;
    const info = await consumerInfo(jsm, spec.stream, spec.durable);
    if (info && (info.num_pending > 0 || info.num_ack_pending > 0)) continue;
    await consumer.stop();
    await deleteIgnoringMissing(jsm, spec.stream, spec.durable);
    logger.info({ durable: spec.durable }, 'retired durable drained and deleted');
    return;
  }
}

/** Readiness (database and NATS) and figures (dead letters) of a service with messaging. */
export function messagingHealth<DB extends MessagingTables>(
  db: Kysely<DB>,
  runtime: MessagingRuntime,
) {
  return {
    readiness: [
      { name: 'database', check: () => pingDatabase(db) },
      { name: 'nats', check: () => runtime.isConnected() },
    ],
    figures: async () => ({ dead_letters: await countDeadLetters(db) }),
  };
}

/** How long a starting service waits for JetStream to answer its stream set-up. */
const JETSTREAM_WARM_UP_MS = 60_000;

/**
 * Runs `setUp` again while JetStream answers with a timeout or "temporarily unavailable"
 * (a cluster electing its leader), for at most JETSTREAM_WARM_UP_MS; any other error, or
 * one that lasts longer, is thrown.
 */
async function whileJetStreamWarmsUp(logger: Logger, setUp: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + JETSTREAM_WARM_UP_MS;
  for (;;) {
    try {
      await setUp();
      return;
    } catch (error) {
      const warmingUp = /timeout|temporarily unavailable/i.test(String(error));
      if (!warmingUp || Date.now() > deadline) throw error;
      logger.warn({ err: error }, 'JetStream is not answering yet; setting up the streams again');
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}
