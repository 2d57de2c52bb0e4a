import { EventCatalogue, type EventOf, type EventType } from '@countersign/contracts';
import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { type Kysely, sql, type Transaction } from 'kysely';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { inMessagingSpan } from '../telemetry/propagation.js';
import type { MessagingTables } from './tables.js';

export type EventHandlers<DB extends MessagingTables> = {
  [T in EventType]?: (trx: Transaction<DB>, event: EventOf<T>) => Promise<void>;
};

export interface EventConsumerOptions<DB extends MessagingTables> {
  js: JetStreamClient;
  db: Kysely<DB>;
  logger: Logger;
  stream: string;
  durable: string;
  /** The consumer's max_deliver; the last delivery goes to the dead-letter table instead. */
  maxDeliver: number;
  /** Delays between redeliveries after a transient failure, by delivery count. */
  retryDelaysMs: number[];
  concurrency: number;
  handlers: EventHandlers<DB>;
}

const subjectToType = new Map<string, EventType>(
  Object.entries(EventCatalogue).map(([type, entry]) => [entry.subject, type as EventType]),
);

class PoisonMessage extends Error {}

/**
 * Consumes a durable pull consumer with bounded concurrency. Each message is handled in
 * one transaction that first records its event id in the inbox: a redelivered message
 * inserts nothing and is acked without running again. Outcomes are explicit: ack after
 * commit; term (after recording a dead letter) for a message that can never succeed or has
 * used up its deliveries; nak with a delay for a transient failure.
 */
export class EventConsumer<DB extends MessagingTables> {
  private running = false;
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  deadLettered = 0;

  constructor(private readonly options: EventConsumerOptions<DB>) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  /** Stops pulling, lets in-flight messages finish and settle. */
  async stop(): Promise<void> {
    this.running = false;
    await this.messages?.close();
    await this.loop;
    await Promise.all(this.inFlight);
  }

  private async run(): Promise<void> {
    const { js, stream, durable, logger, concurrency } = this.options;
    while (this.running) {
      try {
        const consumer = await js.consumers.get(stream, durable);
        this.messages = await consumer.consume({ max_messages: concurrency * 2 });
        for await (const msg of this.messages) {
          const task = this.handle(msg).finally(() => this.inFlight.delete(task));
          this.inFlight.add(task);
          if (this.inFlight.size >= concurrency) await Promise.race(this.inFlight);
          if (!this.running) break;
        }
      } catch (error) {
        if (!this.running) break;
        logger.error({ err: error, durable }, 'consume loop failed; re-entering');
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  private async handle(msg: JsMsg): Promise<void> {
    const parent = propagation.extract(ROOT_CONTEXT, msg.headers, {
      get: (carrier, key) => carrier?.get(key) || undefined,
      keys: (carrier) => (carrier ? carrier.keys() : []),
    });
    await inMessagingSpan('process', msg.subject, parent, async () => {
      try {
        await this.process(msg);
        msg.ack();
      } catch (error) {
        await this.settleFailure(msg, error);
      }
    });
  }

  private async process(msg: JsMsg): Promise<void> {
    const type = subjectToType.get(msg.subject);
    const handler = type ? this.options.handlers[type] : undefined;
    if (!type || !handler) return; // not an event this consumer acts on
    const event = parseEvent(type, msg);
    await this.options.db.transaction().execute(async (trx) => {
      // The service's DB type includes the messaging tables; widen to reach them generically.
      const messaging = trx as unknown as Transaction<MessagingTables>;
      const firstTime = await messaging
        .insertInto('inbox')
        .values({ consumer: this.options.durable, event_id: event.id })
        .onConflict((oc) => oc.doNothing())
        .returning('event_id')
        .executeTakeFirst();
      if (!firstTime) {
        this.options.logger.debug({ event_id: event.id }, 'duplicate delivery ignored');
        return;
      }
      await (handler as (trx: Transaction<DB>, event: unknown) => Promise<void>)(trx, event);
    });
  }

  private async settleFailure(msg: JsMsg, error: unknown): Promise<void> {
    const { logger, maxDeliver, retryDelaysMs, durable } = this.options;
    const permanent =
      error instanceof PoisonMessage || (error instanceof AppError && error.status < 500);
    const exhausted = msg.info.deliveryCount >= maxDeliver - 1;
    if (permanent || exhausted) {
      try {
        await this.recordDeadLetter(msg, error);
        logger.error(
          { err: error, subject: msg.subject, deliveries: msg.info.deliveryCount, durable },
          'message dead-lettered',
        );
        msg.term();
      } catch (recordError) {
        logger.error({ err: recordError }, 'could not record dead letter; will be redelivered');
        msg.nak(retryDelaysMs.at(-1) ?? 1000);
      }
      return;
    }
    const delay = retryDelaysMs[msg.info.deliveryCount - 1] ?? retryDelaysMs.at(-1) ?? 1000;
    logger.warn(
      { err: error, subject: msg.subject, deliveries: msg.info.deliveryCount, delay },
      'message failed; retrying later',
    );
    msg.nak(delay);
  }

  private async recordDeadLetter(msg: JsMsg, error: unknown): Promise<void> {
    const payload = msg.string();
    const eventId = safeEventId(payload);
    await (this.options.db as unknown as Kysely<MessagingTables>)
      .insertInto('dead_letter')
      .values({
        consumer: this.options.durable,
        subject: msg.subject,
        stream_sequence: String(msg.seq),
        event_id: eventId,
        payload,
        error: error instanceof Error ? error.message : String(error),
        deliveries: msg.info.deliveryCount,
      })
      .onConflict((oc) => oc.columns(['consumer', 'stream_sequence']).doNothing())
      .execute();
    this.deadLettered += 1;
  }
}

function parseEvent<T extends EventType>(type: T, msg: JsMsg): EventOf<T> {
  let body: unknown;
  try {
    body = msg.json();
  } catch {
    throw new PoisonMessage('message is not JSON');
  }
  const parsed = EventCatalogue[type].schema.safeParse(body);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new PoisonMessage(`message does not match ${type}: ${problems.join('; ')}`);
  }
  return parsed.data as EventOf<T>;
}

function safeEventId(payload: string): string | null {
  const match = /"id"\s*:\s*"([0-9a-f-]{36})"/i.exec(payload);
  return match?.[1] ?? null;
}

/** How many messages this service has dead-lettered, for health output and tests. */
export async function countDeadLetters(db: Kysely<MessagingTables>): Promise<number> {
  const row = await db
    .selectFrom('dead_letter')
    .select(sql<string>`count(*)`.as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}
