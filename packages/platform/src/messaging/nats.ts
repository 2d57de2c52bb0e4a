import { FeedStream, type ProducingService, Streams, streamSubjects } from '@countersign/contracts';
import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  type JetStreamManager,
  jetstreamManager,
  StorageType,
} from '@nats-io/jetstream';
import { connect, type NatsConnection, nanos } from '@nats-io/transport-node';

export type { NatsConnection };

export async function connectNats(url: string, name: string): Promise<NatsConnection> {
  return connect({ servers: url, name, maxReconnectAttempts: -1, reconnectTimeWait: 500 });
}

/**
 * Creates the producing service's stream if it is missing. File storage keeps events
 * across a NATS restart; the 2-minute duplicate window drops relay re-publishes.
 */
export async function ensureStream(
  jsm: JetStreamManager,
  service: ProducingService,
): Promise<void> {
  const name = Streams[service];
  const config = {
    name,
    subjects: [streamSubjects(service)],
    storage: StorageType.File,
    duplicate_window: nanos(120_000),
    max_age: nanos(7 * 24 * 3600 * 1000),
  };
  try {
    await jsm.streams.info(name);
    await jsm.streams.update(name, config);
  } catch {
    await addIgnoringRace(() => jsm.streams.add(config));
  }
}

/**
 * Creates the per-user feed stream (`GET /api/stream` reads it) if it is missing. Its
 * max age is the window within which a client can resume with `Last-Event-ID`; the
 * duplicate window drops relay re-publishes, as for the event streams.
 */
export async function ensureFeedStream(jsm: JetStreamManager): Promise<void> {
  const config = {
    name: FeedStream.name,
    subjects: [FeedStream.subjects],
    storage: StorageType.File,
    duplicate_window: nanos(120_000),
    max_age: nanos(FeedStream.maxAgeDays * 24 * 3600 * 1000),
  };
  try {
    await jsm.streams.info(FeedStream.name);
    await jsm.streams.update(FeedStream.name, config);
  } catch {
    await addIgnoringRace(() => jsm.streams.add(config));
  }
}

export interface DurableConsumerOptions {
  stream: string;
  durable: string;
  filterSubject?: string;
  maxDeliver: number;
  /**
   * How long a delivered message may go unacked before it is delivered again. No
   * server-side `backoff` is set: nats-server would replace this with backoff[0]. Retry
   * delays after a failure come from the consumer's explicit nak(delay) instead.
   */
  ackWaitMs: number;
  maxAckPending: number;
}

/** Creates or updates a durable pull consumer; replicas bind to the same one and share work. */
export async function ensureDurableConsumer(
  jsm: JetStreamManager,
  options: DurableConsumerOptions,
): Promise<void> {
  const config: Partial<ConsumerConfig> = {
    durable_name: options.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    max_deliver: options.maxDeliver,
    ack_wait: nanos(options.ackWaitMs),
    max_ack_pending: options.maxAckPending,
    ...(options.filterSubject ? { filter_subject: options.filterSubject } : {}),
  };
  try {
    await jsm.consumers.info(options.stream, options.durable);
    await jsm.consumers.update(options.stream, options.durable, config);
  } catch {
    await addIgnoringRace(() => jsm.consumers.add(options.stream, config));
  }
}

export { jetstreamManager };

/** Two replicas may create the same stream at once; the loser finds it there. */
async function addIgnoringRace(add: () => Promise<unknown>): Promise<void> {
  try {
    await add();
  } catch (error) {
    if (!/already in use|already exists/i.test(String(error))) throw error;
  }
}
