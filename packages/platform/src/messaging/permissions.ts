import { randomBytes } from 'node:crypto';
import {
  DurableConsumers,
  EventCatalogue,
  FeedStream,
  FeedStreamRoles,
  type ProducingService,
  Streams,
} from '@countersign/contracts';

/**
 * The NATS permission table, the one place that says what each service may do on the bus.
 * Everything is derived from the contracts: the subjects a service produces (the event
 * catalogue), the durables it reads (`DurableConsumers`) and the feed stream's roles. The
 * nats-server `authorization` block (deploy/nats-auth.conf, the Helm values, the test
 * cluster's server) is generated from it by `natsAuthorizationConfig`.
 *
 * A service may:
 * - publish the subjects of the events it produces (the notification service also the feed);
 * - ask JetStream about every Countersign stream and create one that is missing (services
 *   start in any order, and each needs the streams it reads), but update only its own;
 * - create, read, pull from, ack and delete its own durables, nothing else's;
 * - receive only on its own inbox prefix (`_INBOX_<service>`), so no service sees the
 *   replies (pulled messages, acks) meant for another.
 * Nothing else: no subscription on event subjects, no stream deletion, no purge.
 */
export interface SubjectPermissions {
  publish: string[];
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

/** What `service` may publish and subscribe to. */
export function natsPermissions(service: ProducingService): SubjectPermissions {
  const allStreams = [...Object.values(Streams), FeedStream.name];
  const ownStreams: string[] = [Streams[service]];
  if (service === FeedStreamRoles.writer) ownStreams.push(FeedStream.name);
  const publish = [
    ...producedSubjects(service),
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
  ];
  return { publish, subscribe: [`${natsInboxPrefix(service)}.>`] };
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

function quotedList(subjects: string[], indent: string): string {
  const items = subjects.map((subject) => `${indent}  "${subject}"`).join('\n');
  return `[\n${items}\n${indent}]`;
}

/**
 * The nats-server `authorization` block: one user per service with its permissions, and
 * the admin user. Passwords are not in it: each is the server's environment variable
 * `NATS_<USER>_PASSWORD` (plain text, or a bcrypt hash from `nats server passwd`), so the
 * file is the same everywhere and can be committed. No anonymous user exists, so a client
 * without credentials is refused.
 */
export function natsAuthorizationConfig(): string {
  const lines = [
    '# Generated from packages/platform/src/messaging/permissions.ts by `npm run nats:auth`;',
    '# do not edit (a unit test fails when it is stale). Passwords come from the server',
    "# process's environment: NATS_<USER>_PASSWORD (plain or bcrypt).",
    'authorization {',
    '  users: [',
  ];
  for (const service of natsServices) {
    const permissions = natsPermissions(service);
    lines.push(
      '    {',
      `      user: ${service}`,
      `      password: $${natsPasswordVariable(service)}`,
      '      permissions: {',
      `        publish: { allow: ${quotedList(permissions.publish, '        ')} }`,
      `        subscribe: { allow: ${quotedList(permissions.subscribe, '        ')} }`,
      '      }',
      '    }',
    );
  }
  lines.push(
    '    {',
    `      user: ${natsAdminUser}`,
    `      password: $${natsPasswordVariable(natsAdminUser)}`,
    '    }',
    '  ]',
    '}',
    '',
  );
  return lines.join('\n');
}
