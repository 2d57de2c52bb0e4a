import { EventCatalogue, type EventOf, type EventType } from '@countersign/contracts';
import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream';
import { propagation, ROOT_CONTEXT } from '@opentelemetry/api';
import { type Kysely, sql, type Transaction } from 'kysely';
import { dependencyFailureOf } from '../dependency-failure.js';
import type { Logger } from '../logger.js';
import { inMessagingSpan } from '../telemetry/propagation.js';
import { failureOutcome } from './failure-policy.js';
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
  /**
   * The consumer's max_deliver. Delivery maxDeliver - 1 that fails is dead-lettered; the
   * last one is kept spare for a process that dies while recording the dead letter.
   */
  maxDeliver: number;
  /** Delays between redeliveries after a transient failure, by delivery count. */
  retryDelaysMs: number[];
  /**
   * The consumer's ack wait: a message held through a database outage is reported as
   * still in progress well within it, so the server does not deliver it again meanwhile.
   * Default: JetStream's own, 30 s.
   */
  ackWaitMs?: number;
  concurrency: number;
  handlers: EventHandlers<DB>;
}

const subjectToType = new Map<string, EventType>(
  Object.entries(EventCatalogue).map(([type, entry]) => [entry.subject, type as EventType]),
);

class PoisonMessage extends Error {}

type AnyHandler<DB> = (trx: Transaction<DB>, event: EventOf<EventType>) => Promise<void>;

/** How often a consumer holding a message through a database outage checks it is back. */
const OUTAGE_CHECK_MS = 1_000;

/** The most messages one transaction handles. */
const maxBatch = 32;

/**
 * How long one pull request lives; the server sends heartbeats every half of it. When the
 * consumer's leader moves to another NATS node (a node lost in a cluster), the pull left on
 * the old one is noticed after two missed heartbeats and made again on the new leader: 10 s
 * here instead of the client's default 30 s without deliveries.
 */
const pullExpiresMs = 10_000;

function traceContextOf(msg: JsMsg) {
  return propagation.extract(ROOT_CONTEXT, msg.headers, {
    get: (carrier, key) => carrier?.get(key) || undefined,
    keys: (carrier) => (carrier ? carrier.keys() : []),
  });
}

/**
 * Consumes a durable pull consumer with bounded concurrency, in batches that grow with
 * load. A batch is handled in one transaction that first records its event ids in the
 * inbox: a redelivered message inserts nothing and is acked without running again. Outcomes are explicit: ack after
 * commit; term (after recording a dead letter) for a message that can never succeed or has
 * used up its deliveries; nak with a delay for a transient failure.
 */
export class EventConsumer<DB extends MessagingTables> {
  private running = false;
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly queued: JsMsg[] = [];
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
        this.messages = await consumer.consume({
          max_messages: concurrency * maxBatch,
          expires: pullExpiresMs,
        });
        // stop() may have run while we were connecting; it closed the previous iterator.
        if (!this.running) {
          await this.messages.close();
          break;
        }
        for await (const msg of this.messages) {
          // Arrivals queue up while every slot is busy; a slot that frees up takes all of
          // them as one batch, so batches grow exactly when load does.
          this.queued.push(msg);
          this.fillSlots();
          while (this.queued.length >= concurrency * maxBatch) await Promise.race(this.inFlight);
          if (!this.running) break;
        }
        // Stopping: handle what was already pulled rather than leave it to redelivery.
        while (this.queued.length > 0) this.launchBatch();
      } catch (error) {
        if (!this.running) break;
        logger.error({ err: error, durable }, 'consume loop failed; re-entering');
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  }

  private fillSlots(): void {
    while (this.inFlight.size < this.options.concurrency && this.queued.length > 0) {
      this.launchBatch();
    }
  }

  private launchBatch(): void {
    const batch = this.queued.splice(0, maxBatch);
    const task = this.processBatch(batch).finally(() => {
      this.inFlight.delete(task);
      if (this.running) this.fillSlots();
    });
    this.inFlight.add(task);
  }

  /**
   * Handles a batch in one transaction: one inbox insert for all, each new event's
   * handler in order, one commit, then the acks. If the transaction fails, each message
   * is retried alone so that one bad message cannot hold back the others.
   */
  private async processBatch(batch: JsMsg[]): Promise<void> {
    const work: { msg: JsMsg; event: EventOf<EventType>; handler: AnyHandler<DB> }[] = [];
    for (const msg of batch) {
      const type = subjectToType.get(msg.subject);
      const handler = type
        ? (this.options.handlers[type] as AnyHandler<DB> | undefined)
        : undefined;
      if (!type || !handler) {
        msg.ack(); // not an event this consumer acts on
        continue;
      }
      try {
        work.push({ msg, event: parseEvent(type, msg), handler });
      } catch (error) {
        await this.settleFailure(msg, error);
      }
    }
    if (work.length === 0) return;
    if (work.length === 1) {
      await this.processAlone(work[0] as (typeof work)[number]);
      return;
    }
    try {
      await this.options.db.transaction().execute(async (trx) => {
        const fresh = await this.recordInInbox(
          trx,
          work.map((w) => w.event.id),
        );
        for (const item of work) {
          if (!fresh.delete(item.event.id)) continue; // seen before, or twice in this batch
          await inMessagingSpan('process', item.msg.subject, traceContextOf(item.msg), () =>
            item.handler(trx, item.event),
          );
        }
      });
      for (const item of work) item.msg.ack();
    } catch {
      for (const item of work) await this.processAlone(item);
    }
  }

  private async processAlone(item: {
    msg: JsMsg;
    event: EventOf<EventType>;
    handler: AnyHandler<DB>;
  }) {
    const { msg, event, handler } = item;
    await inMessagingSpan('process', msg.subject, traceContextOf(msg), async () => {
      try {
        await this.options.db.transaction().execute(async (trx) => {
          const fresh = await this.recordInInbox(trx, [event.id]);
          if (fresh.size === 0) {
            this.options.logger.debug({ event_id: event.id }, 'duplicate delivery ignored');
            return;
          }
          await handler(trx, event);
        });
        msg.ack();
      } catch (error) {
        // Retried here, once the database is back: the outage spends no delivery.
        if (await this.heldThroughOutage(msg, error)) return this.processAlone(item);
        await this.settleFailure(msg, error);
      }
    });
  }

  /**
   * Whether `error` came from the database being down and the message was held until it
   * answers again. An outage is not the message's fault: redelivered on the usual schedule
   * it would use up its deliveries in an outage of a minute or two, and could not even
   * record its dead letter. So it stays here, the server told it is still being worked on,
   * until the database answers (true) or the consumer stops (false: the usual nak).
   */
  private async heldThroughOutage(msg: JsMsg, error: unknown): Promise<boolean> {
    if (dependencyFailureOf(error) === undefined || (await this.databaseAnswers())) return false;
    this.options.logger.warn(
      { durable: this.options.durable, subject: msg.subject },
      'database down; holding the message until it answers',
    );
    let sinceWorking = 0;
    while (this.running) {
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_CHECK_MS));
      if (await this.databaseAnswers()) return this.running;
      sinceWorking += OUTAGE_CHECK_MS;
      if (sinceWorking >= (this.options.ackWaitMs ?? 30_000) / 3) {
        msg.working();
        sinceWorking = 0;
      }
    }
    return false;
  }

  private async databaseAnswers(): Promise<boolean> {
    try {
      await sql`select 1`.execute(this.options.db);
      return true;
    } catch {
      return false;
    }
  }

  /** Inserts event ids into the inbox; returns the ones not there before. */
  private async recordInInbox(trx: Transaction<DB>, eventIds: string[]): Promise<Set<string>> {
    // The service's DB type includes the messaging tables; widen to reach them generically.
    const messaging = trx as unknown as Transaction<MessagingTables>;
    const rows = await messaging
      .insertInto('inbox')
      .values(eventIds.map((eventId) => ({ consumer: this.options.durable, event_id: eventId })))
      .onConflict((oc) => oc.doNothing())
      .returning('event_id')
      .execute();
    return new Set(rows.map((row) => row.event_id));
  }

  private async settleFailure(msg: JsMsg, error: unknown): Promise<void> {
    const { logger, maxDeliver, retryDelaysMs, durable } = this.options;
    const permanent = error instanceof PoisonMessage || failureOutcome(error) === 'give-up';
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
export async function countDeadLetters<DB extends MessagingTables>(
  serviceDb: Kysely<DB>,
): Promise<number> {
  const db = serviceDb as unknown as Kysely<MessagingTables>;
  const row = await db
    .selectFrom('dead_letter')
    .select(sql<string>`count(*)`.as('count'))
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/** Dead letters by consumer (durable name), for metrics at scrape time. */
export async function countDeadLettersByConsumer<DB extends MessagingTables>(
  serviceDb: Kysely<DB>,
): Promise<Map<string, number>> {
  const db = serviceDb as unknown as Kysely<MessagingTables>;
  const rows = await db
    .selectFrom('dead_letter')
    .select(['consumer', sql<number>`count(*)::int`.as('count')])
    .groupBy('consumer')
    .execute();
  return new Map(rows.map((row) => [row.consumer, row.count]));
}
