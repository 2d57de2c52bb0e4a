import {
  AuditCheckpointStream,
  FeedStream,
  type ProducingService,
  Streams,
  streamSubjects,
} from '@countersign/contracts';
import {
  AckPolicy,
  type ConsumerInfo,
  DeliverPolicy,
  type JetStreamManager,
  jetstreamManager,
  StorageType,
  type StreamInfo,
} from '@nats-io/jetstream';
import { connect, type NatsConnection, nanos } from '@nats-io/transport-node';
import type { Logger } from '../logger.js';

export type { NatsConnection };

/** `nats://a:4222,nats://b:4222` → each server; the client takes a list, not a joined string. */
export function natsServers(url: string): string[] {
  return url
    .split(',')
    .map((server) => server.trim())
    .filter((server) => server.length > 0);
}

/**
 * How a service identifies itself to NATS and checks the server: user and password (from
 * NATS_USER / NATS_PASSWORD), TLS files (NATS_TLS_*), and the inbox prefix its replies
 * come back on (the one subject its NATS user may subscribe to). Every field is optional:
 * a development NATS without users takes an anonymous connection.
 */
export interface NatsClientSettings {
  user?: string | undefined;
  password?: string | undefined;
  tls?:
    | {
        caFile?: string | undefined;
        certFile?: string | undefined;
        keyFile?: string | undefined;
      }
    | undefined;
  inboxPrefix?: string | undefined;
}

/** The settings of NatsClientSettings as BaseConfig parses them from the environment. */
export interface NatsEnvironment {
  NATS_USER?: string | undefined;
  NATS_PASSWORD?: string | undefined;
  NATS_TLS?: boolean | undefined;
  NATS_TLS_CA_FILE?: string | undefined;
  NATS_TLS_CERT_FILE?: string | undefined;
  NATS_TLS_KEY_FILE?: string | undefined;
}

/**
 * A service's client settings from its configuration. A password without a user names the
 * service's own NATS user (the users in deploy/nats-auth.conf are named after services).
 * TLS is on when NATS_TLS is set or any TLS file is given.
 */
export function natsClientSettings(config: NatsEnvironment, service: string): NatsClientSettings {
  const tlsWanted =
    config.NATS_TLS === true ||
    !!config.NATS_TLS_CA_FILE ||
    !!config.NATS_TLS_CERT_FILE ||
    !!config.NATS_TLS_KEY_FILE;
  return {
    ...(config.NATS_PASSWORD
      ? { user: config.NATS_USER ?? service, password: config.NATS_PASSWORD }
      : {}),
    ...(tlsWanted
      ? {
          tls: {
            caFile: config.NATS_TLS_CA_FILE,
            certFile: config.NATS_TLS_CERT_FILE,
            keyFile: config.NATS_TLS_KEY_FILE,
          },
        }
      : {}),
  };
}

/** How often a service pings its NATS server to notice a node that no longer answers. */
export const natsPingIntervalMs = 10_000;

/**
 * Connects to any of the servers and, when that one goes away, to another of them (or of
 * the cluster's members it announced) for as long as it takes: a NATS node lost is not a
 * reason for a service to give up. Refused credentials are not retried: the first
 * connection fails at once with the server's reason.
 */
export async function connectNats(
  url: string,
  name: string,
  settings: NatsClientSettings = {},
): Promise<NatsConnection> {
  const tls = settings.tls
    ? Object.fromEntries(Object.entries(settings.tls).filter(([, value]) => value !== undefined))
    : undefined;
  return connect({
    servers: natsServers(url),
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    // A node cut off by the network closes nothing: the connection just goes quiet. With
    // the client's default (a ping every 2 minutes, 2 unanswered) a service stayed on a
    // partitioned node for minutes, its consumers idle and its revocation feed stale
    // (tests/chaos/nats-cluster.chaos.test.ts); now it moves to another node within ~30 s.
    pingInterval: natsPingIntervalMs,
    maxPingOut: 2,
    ...(settings.user !== undefined ? { user: settings.user, pass: settings.password } : {}),
    ...(tls ? { tls } : {}),
    ...(settings.inboxPrefix ? { inboxPrefix: settings.inboxPrefix } : {}),
  });
}

/**
 * Follows the connection's status: whether it is connected to a server right now. A client
 * that lost its server is not closed (it reconnects for as long as it takes), so
 * `isClosed()` alone would call a service ready while NATS is down.
 */
export function followConnection(nats: NatsConnection, logger: Logger): () => boolean {
  let connected = !nats.isClosed();
  void (async () => {
    for await (const status of nats.status()) {
      if (status.type === 'disconnect') {
        connected = false;
        logger.warn({ server: status.server }, 'NATS connection lost; reconnecting');
      } else if (status.type === 'reconnect') {
        connected = true;
        logger.info({ server: status.server }, 'NATS connection back');
      }
    }
  })().catch((error: unknown) => logger.warn({ err: error }, 'NATS status no longer followed'));
  return () => connected && !nats.isClosed();
}

/** How many copies of each stream the cluster keeps (NATS_STREAM_REPLICAS). */
export interface StreamReplication {
  replicas?: number;
  /**
   * Whether this service owns the stream and so brings an existing one in line with the
   * settings (its NATS user may update only its own streams). Others create a missing
   * stream and leave an existing one alone. Default: true.
   */
  owner?: boolean;
}

/**
 * Creates the producing service's stream if it is missing, or updates it (including its
 * replica count). File storage keeps events across a NATS restart; the 2-minute
 * duplicate window drops relay re-publishes.
 */
export async function ensureStream(
  jsm: JetStreamManager,
  service: ProducingService,
  replication: StreamReplication = {},
): Promise<void> {
  const name = Streams[service];
  const config = {
    name,
    subjects: [streamSubjects(service)],
    storage: StorageType.File,
    num_replicas: replication.replicas ?? 1,
    duplicate_window: nanos(120_000),
    max_age: nanos(7 * 24 * 3600 * 1000),
  };
  await createOrUpdateStream(jsm, config, replication.owner ?? true);
}

/**
 * Creates the per-user feed stream (`GET /api/stream` reads it) if it is missing. Its
 * max age is the window within which a client can resume with `Last-Event-ID`; the
 * duplicate window drops relay re-publishes, as for the event streams.
 */
export async function ensureFeedStream(
  jsm: JetStreamManager,
  replication: StreamReplication = {},
): Promise<void> {
  const config = {
    name: FeedStream.name,
    subjects: [FeedStream.subjects],
    storage: StorageType.File,
    num_replicas: replication.replicas ?? 1,
    duplicate_window: nanos(120_000),
    max_age: nanos(FeedStream.maxAgeDays * 24 * 3600 * 1000),
  };
  await createOrUpdateStream(jsm, config, replication.owner ?? true);
}

/**
 * Creates the signed audit checkpoints' stream if it is missing: kept without age limit,
 * up to AuditCheckpointStream.maxPerSubject per service and company (the newest pins the
 * chain before it). Every service publishes its own checkpoints there.
 */
export async function ensureAuditCheckpointStream(
  jsm: JetStreamManager,
  replication: StreamReplication = {},
): Promise<void> {
  const config = {
    name: AuditCheckpointStream.name,
    subjects: [AuditCheckpointStream.subjects],
    storage: StorageType.File,
    num_replicas: replication.replicas ?? 1,
    duplicate_window: nanos(120_000),
    max_age: 0,
    max_msgs_per_subject: AuditCheckpointStream.maxPerSubject,
  };
  await createOrUpdateStream(jsm, config, replication.owner ?? true);
}

interface ManagedStreamConfig {
  name: string;
  subjects: string[];
  storage: StorageType;
  num_replicas: number;
  duplicate_window: number;
  max_age: number;
  max_msgs_per_subject?: number;
}

/**
 * Adds the stream, or updates it where it differs from `config` (e.g. a replica count
 * changed by NATS_STREAM_REPLICAS: JetStream then adds or removes copies in place). An
 * unchanged stream is left alone, so a start costs no cluster-wide change; a failed
 * update is thrown, not mistaken for a missing stream. Only the owner updates.
 */
async function createOrUpdateStream(
  jsm: JetStreamManager,
  config: ManagedStreamConfig,
  owner: boolean,
): Promise<void> {
  const existing = await streamInfo(jsm, config.name);
  if (!existing) {
    await addIgnoringRace(() => jsm.streams.add(config));
    return;
  }
  const current = existing.config;
  const differs =
    current.subjects.join(' ') !== config.subjects.join(' ') ||
    current.num_replicas !== config.num_replicas ||
    current.duplicate_window !== config.duplicate_window ||
    current.max_age !== config.max_age;
  if (differs && owner) await jsm.streams.update(config.name, config);
}

/** The stream's info, or undefined if there is no stream of that name. */
async function streamInfo(jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(name);
  } catch (error) {
    if (/stream not found/i.test(String(error))) return undefined;
    throw error;
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
  /**
   * Durables on the same stream that this one takes over from. A new durable starts at
   * the first message one of them had not finished (the stream's start if none exists);
   * once this one exists they are deleted, so nothing is read twice by their names.
   */
  replaces?: string[];
}

/** Creates or updates a durable pull consumer; replicas bind to the same one and share work. */
export async function ensureDurableConsumer(
  jsm: JetStreamManager,
  options: DurableConsumerOptions,
): Promise<void> {
  const config = {
    max_deliver: options.maxDeliver,
    ack_wait: nanos(options.ackWaitMs),
    max_ack_pending: options.maxAckPending,
    ...(options.filterSubject ? { filter_subject: options.filterSubject } : {}),
  };
  const existing = await consumerInfo(jsm, options.stream, options.durable);
  if (existing) {
    // The update merges into the existing config: where it starts stays as created.
    await jsm.consumers.update(options.stream, options.durable, config);
  } else {
    const start = await firstUnfinished(jsm, options.stream, options.replaces ?? []);
    await addIgnoringRace(() =>
      jsm.consumers.add(options.stream, {
        ...config,
        durable_name: options.durable,
        ack_policy: AckPolicy.Explicit,
        ...(start === undefined
          ? { deliver_policy: DeliverPolicy.All }
          : { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: start }),
      }),
    );
  }
  // Only after the successor exists: a start that dies in between deletes them next time.
  for (const replaced of options.replaces ?? []) {
    await deleteIgnoringMissing(jsm, options.stream, replaced);
  }
}

/**
 * The lowest stream sequence any of the durables has not finished, or undefined if none
 * of them exists. Everything up to `delivered` is finished when nothing waits for an ack
 * (a filtered consumer's ack floor stays at its last matching message); otherwise
 * everything up to the ack floor.
 */
async function firstUnfinished(
  jsm: JetStreamManager,
  stream: string,
  durables: string[],
): Promise<number | undefined> {
  let first: number | undefined;
  for (const durable of durables) {
    const info = await consumerInfo(jsm, stream, durable);
    if (!info) continue;
    const finished =
      info.num_ack_pending === 0 ? info.delivered.stream_seq : info.ack_floor.stream_seq;
    first = Math.min(first ?? Number.POSITIVE_INFINITY, finished + 1);
  }
  return first;
}

/** The consumer's info, or undefined if the stream has no consumer of that name. */
export async function consumerInfo(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
): Promise<ConsumerInfo | undefined> {
  try {
    return await jsm.consumers.info(stream, durable);
  } catch (error) {
    if (/consumer not found/i.test(String(error))) return undefined;
    throw error;
  }
}

/** Deletes a durable; another replica may have deleted it first. */
export async function deleteIgnoringMissing(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
): Promise<void> {
  try {
    await jsm.consumers.delete(stream, durable);
  } catch (error) {
    if (!/consumer not found/i.test(String(error))) throw error;
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
