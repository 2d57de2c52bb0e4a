import { randomBytes } from 'node:crypto';
import {
  AuditCheckpointStream,
  DurableConsumers,
  EventCatalogue,
  FeedStream,
  FeedStreamRoles,
  type ProducingService,
  RevocationFeed,
  Streams,
} from '@countersign/contracts';

/**
 * The NATS permission table, the one place that says what each service may do on the bus.
 * Everything is derived from the contracts: the subjects a service produces (the event
 * catalogue), the durables it reads (`DurableConsumers`) and the feed stream's roles. The
 * nats-server `authorization` block (deploy/nats-auth.conf, the Helm values, the test
 * cluster's server) is generated from it by scripts/nats-auth.ts.
 *
 * A service may:
 * - publish the subjects of the events it produces (the notification service also the feed);
 * - ask JetStream about every Countersign stream and create one that is missing (services
 *   start in any order, and each needs the streams it reads), but update only its own;
 * - create, read, pull from, ack and delete its own durables, nothing else's;
 * - receive only on its own inbox prefix (`_INBOX_<service>`), so no service sees the
 *   replies (pulled messages, acks) meant for another.
 * - read the revocation feed (`RevocationFeed.subscribers`) with ephemeral ordered consumers
 *   filtered to its subjects, but not touch another service's durables on that stream;
 * - keep the audit checkpoint stream, publish checkpoints under its own
 *   `AuditCheckpointStream.publishers` prefix and read the newest one per subject.
 * Nothing else: no subscription on event subjects, no stream deletion, no purge.
 */
export interface SubjectPermissions {
  publish: string[];
  /**
   * Exceptions to `publish`: the revocation readers' consumers have client-chosen names on
   * a stream that also holds other services' durables, and NATS wildcards match whole
   * tokens only, so those durables are excluded by name.
   */
  publishDeny: string[];
  subscribe: string[];
}

export const natsServices = Object.keys(Streams) as ProducingService[];

/** The inbox prefix a service's connection uses (nats.js `inboxPrefix`); its only subscription. */
export function natsInboxPrefix(service: string): string {
  return `_INBOX_${service}`;
}

function producedSubjects(service: ProducingService): string[] {
  const subjects: string[] = Object.values(EventCatalogue)
    .filter((entry) => entry.producer === service)
    .map((entry) => entry.subject);
  if (service === FeedStreamRoles.writer) subjects.push(FeedStream.subjects);
  return subjects;
}

/** The JetStream API and ack subjects of one durable pull consumer. */
function durableSubjects(stream: string, durable: string): string[] {
  return [
    `$JS.API.CONSUMER.INFO.${stream}.${durable}`,
    // nats-server 2.9+ (filtered and unfiltered), and the API older servers answer.
    `$JS.API.CONSUMER.CREATE.${stream}.${durable}`,
    `$JS.API.CONSUMER.CREATE.${stream}.${durable}.>`,
    `$JS.API.CONSUMER.DURABLE.CREATE.${stream}.${durable}`,
    `$JS.API.CONSUMER.DELETE.${stream}.${durable}`,
    `$JS.API.CONSUMER.MSG.NEXT.${stream}.${durable}`,
    `$JS.ACK.${stream}.${durable}.>`,
  ];
}

/** The gateway's ordered consumers on the feed: ephemeral, named by the client. */
function feedReaderSubjects(stream: string): string[] {
  return [
    `$JS.API.CONSUMER.CREATE.${stream}`,
    `$JS.API.CONSUMER.CREATE.${stream}.>`,
    `$JS.API.CONSUMER.INFO.${stream}.*`,
    `$JS.API.CONSUMER.DELETE.${stream}.*`,
    `$JS.API.CONSUMER.MSG.NEXT.${stream}.*`,
  ];
}

const isRevocationReader = (service: ProducingService): boolean =>
  (RevocationFeed.subscribers as readonly string[]).includes(service);

/**
 * A revocation reader's ephemeral ordered consumers: created only filtered to the feed's
 * subjects (the server refuses a body whose filter differs from the one in the subject).
 */
function revocationReaderSubjects(): string[] {
  const stream = RevocationFeed.stream;
  return [
    `$JS.API.CONSUMER.CREATE.${stream}.*.${RevocationFeed.subjects}`,
    `$JS.API.CONSUMER.INFO.${stream}.*`,
    `$JS.API.CONSUMER.DELETE.${stream}.*`,
    `$JS.API.CONSUMER.MSG.NEXT.${stream}.*`,
  ];
}

/** The other services' durables on the revocation feed's stream, out of a reader's reach. */
function othersDurablesOnRevocationStream(service: ProducingService): string[] {
  const stream = RevocationFeed.stream;
  return natsServices
    .filter((other) => other !== service)
    .flatMap((other) => DurableConsumers[other])
    .filter((entry) => Streams[entry.stream] === stream)
    .flatMap((entry) => [
      `$JS.API.CONSUMER.CREATE.${stream}.${entry.durable}.>`,
      ...['INFO', 'DELETE', 'MSG.NEXT'].map(
        (api) => `$JS.API.CONSUMER.${api}.${stream}.${entry.durable}`,
      ),
    ]);
}

/** The audit checkpoints a service publishes (its own prefix) and how it reads the newest. */
function checkpointSubjects(service: ProducingService): string[] {
  const publishers: Partial<Record<string, string>> = AuditCheckpointStream.publishers;
  const own = publishers[service];
  if (!own) return [];
  return [own, `$JS.API.STREAM.MSG.GET.${AuditCheckpointStream.name}`];
}

const keepsCheckpoints = (service: ProducingService): boolean =>
  Object.hasOwn(AuditCheckpointStream.publishers, service);

/** What `service` may publish and subscribe to. */
export function natsPermissions(service: ProducingService): SubjectPermissions {
  const allStreams = [...Object.values(Streams), FeedStream.name, AuditCheckpointStream.name];
  const ownStreams: string[] = [Streams[service]];
  if (service === FeedStreamRoles.writer) ownStreams.push(FeedStream.name);
  // Every trail-keeping service creates and keeps the checkpoint stream up to date.
  if (keepsCheckpoints(service)) ownStreams.push(AuditCheckpointStream.name);
  const publish = [
    ...producedSubjects(service),
    ...checkpointSubjects(service),
    '$JS.API.INFO',
    ...allStreams.flatMap((stream) => [
      `$JS.API.STREAM.INFO.${stream}`,
      `$JS.API.STREAM.CREATE.${stream}`,
    ]),
    ...ownStreams.map((stream) => `$JS.API.STREAM.UPDATE.${stream}`),
    ...DurableConsumers[service].flatMap((entry) =>
      durableSubjects(Streams[entry.stream], entry.durable),
    ),
    ...(service === FeedStreamRoles.reader ? feedReaderSubjects(FeedStreamRoles.stream) : []),
    ...(isRevocationReader(service) ? revocationReaderSubjects() : []),
  ];
  const publishDeny = isRevocationReader(service) ? othersDurablesOnRevocationStream(service) : [];
  return { publish, publishDeny, subscribe: [`${natsInboxPrefix(service)}.>`] };
}

/** The environment variable holding a user's password on the nats-server side. */
export function natsPasswordVariable(user: string): string {
  return `NATS_${user.toUpperCase()}_PASSWORD`;
}

/**
 * A random password nats-server reads as it is: the server parses an environment variable
 * as a configuration value, so a value starting with a digit would be read as a number
 * (and `$...`, e.g. a bcrypt hash, as a variable unless wrapped in double quotes).
 */
export function natsPassword(): string {
  return `p${randomBytes(24).toString('hex')}`;
}

/** The operators' user: everything (dead-letter replays, recovery, tests' clean-up). */
export const natsAdminUser = 'admin';
