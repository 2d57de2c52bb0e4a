/**
 * A typed subscriber to Countersign's public events (docs/EVENTS.md), with the NATS client
 * the services use. Every message is checked against its zod schema before your handler
 * sees it, so `event` is typed by its `type` and a message that does not match is reported,
 * never passed on.
 *
 *   NATS_URL=nats://127.0.0.1:4222 npx tsx --conditions=source \
 *     packages/contracts/examples/subscribe.ts ExpenseApproved ExpenseRejected
 *
 * Without `durable` it reads with an ordered consumer (ephemeral, nothing to clean up,
 * nothing remembered across restarts). With `durable` it binds a durable consumer of that
 * name and acks each message after the handler returns: what was not acked is delivered
 * again after a restart, so make the handler idempotent by the envelope's `id`.
 */
import { pathToFileURL } from 'node:url';
import {
  type AnyEvent,
  EventCatalogue,
  type EventOf,
  type EventType,
  Streams,
} from '@countersign/contracts';
import {
  AckPolicy,
  type Consumer,
  type ConsumerMessages,
  DeliverPolicy,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';

export interface SubscribeOptions<T extends EventType> {
  /** The event types wanted; each is read from its producer's stream. */
  types: readonly T[];
  onEvent: (event: EventOf<T>) => void | Promise<void>;
  /** A message on a wanted subject that does not match its schema. */
  onInvalid?: (subject: string, problem: string) => void;
  /** `new` (the default): from now on; `all`: everything the streams still keep (7 days). */
  from?: 'new' | 'all';
  /** The name of a durable consumer to bind (one per stream: `<durable>-<service>`). */
  durable?: string;
}

export interface Subscription {
  /** Stops reading; resolves once every stream's reader has finished. */
  stop(): Promise<void>;
}

const typeBySubject = new Map<string, EventType>(
  Object.entries(EventCatalogue).map(([type, entry]) => [entry.subject, type as EventType]),
);

/** Parses a message with its type's schema: the typed event, or why it is not one. */
export function parseEvent<T extends EventType>(
  wanted: ReadonlySet<EventType>,
  subject: string,
  body: string,
): { event: EventOf<T> } | { problem: string } | { skip: true } {
  const type = typeBySubject.get(subject);
  if (!type || !wanted.has(type)) return { skip: true };
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { problem: 'not JSON' };
  }
  const parsed = EventCatalogue[type].schema.safeParse(json);
  if (!parsed.success) {
    return {
      problem: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '),
    };
  }
  return { event: parsed.data as EventOf<T> };
}

export async function subscribe<T extends EventType>(
  nc: NatsConnection,
  options: SubscribeOptions<T>,
): Promise<Subscription> {
  const wanted = new Set<EventType>(options.types);
  const producers = new Set(options.types.map((type) => EventCatalogue[type].producer));
  const readers: { messages: ConsumerMessages; done: Promise<void> }[] = [];
  for (const producer of producers) {
    const mine = options.types.filter((type) => EventCatalogue[type].producer === producer);
    // nats-server 2.9 takes one filter subject: one type filters exactly, several take the
    // service's subjects and skip the rest.
    const filter =
      mine.length === 1 ? EventCatalogue[mine[0] as T].subject : `countersign.${producer}.>`;
    const consumer = await openConsumer(nc, Streams[producer], filter, options, producer);
    const messages = await consumer.consume();
    readers.push({ messages, done: read(messages, wanted, options) });
  }
  return {
    async stop() {
      for (const reader of readers) await reader.messages.close();
      await Promise.all(readers.map((reader) => reader.done));
    },
  };
}

async function openConsumer(
  nc: NatsConnection,
  stream: string,
  filter: string,
  options: SubscribeOptions<EventType>,
  producer: string,
): Promise<Consumer> {
  const js = jetstream(nc);
  const deliver_policy = options.from === 'all' ? DeliverPolicy.All : DeliverPolicy.New;
  if (!options.durable)
    return js.consumers.get(stream, { filter_subjects: filter, deliver_policy });
  const name = `${options.durable}-${producer}`;
  const jsm = await jetstreamManager(nc);
  await jsm.consumers
    .add(stream, {
      durable_name: name,
      ack_policy: AckPolicy.Explicit,
      filter_subject: filter,
      deliver_policy,
    })
    .catch(async () => jsm.consumers.info(stream, name)); // already there: bind to it
  return js.consumers.get(stream, name);
}

async function read<T extends EventType>(
  messages: ConsumerMessages,
  wanted: ReadonlySet<EventType>,
  options: SubscribeOptions<T>,
): Promise<void> {
  const acks = options.durable !== undefined;
  for await (const msg of messages) {
    const outcome = parseEvent<T>(wanted, msg.subject, msg.string());
    if ('skip' in outcome) {
      settle(msg, 'ack', acks);
    } else if ('problem' in outcome) {
      options.onInvalid?.(msg.subject, outcome.problem);
      settle(msg, 'term', acks); // it will never match: do not have it redelivered
    } else {
      try {
        await options.onEvent(outcome.event);
        settle(msg, 'ack', acks);
      } catch {
        settle(msg, 'nak', acks);
      }
    }
  }
}

/** Ordered consumers do not take acks; durable ones need one outcome per message. */
function settle(msg: JsMsg, outcome: 'ack' | 'nak' | 'term', acks: boolean): void {
  if (!acks) return;
  if (outcome === 'ack') msg.ack();
  if (outcome === 'nak') msg.nak(5_000);
  if (outcome === 'term') msg.term();
}

/** From the command line: print the named events as they are published. */
async function main(): Promise<void> {
  const types = process.argv.slice(2) as EventType[];
  const unknown = types.filter((type) => !(type in EventCatalogue));
  if (types.length === 0 || unknown.length > 0) {
    console.error(`name event types from: ${Object.keys(EventCatalogue).join(', ')}`);
    process.exit(2);
  }
  const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
  const subscription = await subscribe(nc, {
    types,
    onEvent: (event: AnyEvent) =>
      console.log(event.type, event.subject, JSON.stringify(event.data)),
    onInvalid: (subject, problem) => console.warn(`invalid message on ${subject}: ${problem}`),
  });
  process.once('SIGINT', () => {
    void subscription.stop().then(() => nc.close());
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
