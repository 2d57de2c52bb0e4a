import { EventCatalogue, type EventOf, type EventType } from '@countersign/contracts';
import type { JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { context } from '@opentelemetry/api';
import { type Kysely, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { CONNECTION_WAIT_MS } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { OutboxBacklog, ServiceMetrics } from '../metrics/service-metrics.js';
import { contextFromTraceparent, inMessagingSpan, traceHeaders } from '../telemetry/propagation.js';
import type { MessagingTables } from './tables.js';

/** How long a row whose publish failed waits before it is claimed again. */
const HOLD_BACK_MS = 5_000;
/** How often a relay that lost its LISTEN connection tries to open it again. */
const RELISTEN_MS = 1_000;

export const outboxChannel = (schema: string): string => `${schema}_outbox`;

/** Outbox rows for events, for writers that insert them in a statement of their own. */
export function outboxRows<T extends EventType>(events: EventOf<T>[]) {
  return events.map((event) => ({
    event_id: event.id,
    subject: EventCatalogue[event.type as EventType].subject,
    payload: JSON.stringify(event),
    traceparent: event.traceparent ?? null,
  }));
}

/**
 * Writes events to the outbox inside the caller's transaction, so they commit or roll
 * back with the state change they announce. A trigger NOTIFYs the relay on commit.
 */
export async function enqueueEvents<DB extends MessagingTables, T extends EventType>(
  serviceTrx: Transaction<DB>,
  events: EventOf<T>[],
): Promise<void> {
  if (events.length === 0) return;
  // Every service's database type includes the messaging tables; widen to reach them.
  const trx = serviceTrx as unknown as Transaction<MessagingTables>;
  await trx.insertInto('outbox').values(outboxRows(events)).execute();
}

export interface OutboxRelayOptions {
  db: Kysely<MessagingTables>;
  js: JetStreamClient;
  logger: Logger;
  databaseUrl: string;
  schema: string;
  batchSize?: number;
  pollIntervalMs?: number;
  /** How long a claimed batch stays reserved for this relay before others may take it. */
  leaseMs?: number;
  /**
   * How long published rows may wait, unmarked, for the next claim to mark them: by
   * default the poll interval, so an idle relay marks them with the poll it makes anyway.
   * At most a quarter of the lease, so no other relay takes them meanwhile.
   */
  markDelayMs?: number;
  /** Times each publish until its ack (`countersign_relay_publish_duration_seconds`). */
  metrics?: ServiceMetrics | undefined;
}

interface OutboxRow {
  id: string;
  event_id: string;
  subject: string;
  /** The event's JSON as stored: read as text, it is published without a parse and re-stringify. */
  payload: string;
  traceparent: string | null;
}

/** Rows committed and not relayed yet, and the oldest one's age: for metrics, at scrape time. */
export async function outboxBacklog<DB extends MessagingTables>(
  serviceDb: Kysely<DB>,
): Promise<OutboxBacklog> {
  const db = serviceDb as unknown as Kysely<MessagingTables>;
  // The partial index outbox_unsent holds exactly these rows.
  const row = await db
    .selectFrom('outbox')
    .select([
      sql<number>`count(*)::int`.as('rows'),
      sql<number>`coalesce(extract(epoch from now() - min(created_at)), 0)::float8`.as('oldest'),
    ])
    .where('sent_at', 'is', null)
    .executeTakeFirstOrThrow();
  return { rows: row.rows, oldestSeconds: row.oldest };
}

/**
 * Publishes committed outbox rows to JetStream with Nats-Msg-Id = event id. Each pass is
 * one statement that marks the rows the last pass published and leases the next batch;
 * the batch is then published with pipelined acks. So a row costs no statement of its
 * own: the next NOTIFY's pass, or else the next poll (within `markDelayMs`), marks it,
 * and stopping marks the rest. A crash between publish and mark re-publishes after the
 * lease; JetStream's duplicate window and the consumers' inbox drop the copy.
 */
export class OutboxRelay {
  private running = false;
  private wake: (() => void) | undefined;
  /** Set by NOTIFY arriving while a pass runs, so the loop goes again instead of sleeping. */
  private notified = false;
  /** The last pass held rows back after failed publishes. */
  private heldBack = false;
  /** Ids published but not yet marked sent: the next claim marks them. */
  private unmarked: string[] = [];
  private loop: Promise<void> | undefined;
  private listener: pg.Client | undefined;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly leaseMs: number;
  private readonly markDelayMs: number;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 200;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.leaseMs = options.leaseMs ?? 10_000;
    this.markDelayMs = Math.min(options.markDelayMs ?? this.pollIntervalMs, this.leaseMs / 4);
  }

  async start(): Promise<void> {
    this.running = true;
    await this.listen();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    await this.listener?.end().catch(() => undefined);
  }

  /**
   * One pass, then marks what it published: claims a batch, publishes it and marks it
   * sent (no row stays unmarked). Returns how many rows were published.
   */
  async drainOnce(): Promise<number> {
    const published = await this.pass();
    await this.markPublished();
    return published;
  }

  /**
   * Claims a batch (marking the previous pass's rows in the same statement), publishes
   * it, keeps what was published for the next mark and holds back what was not. Returns
   * how many rows were published.
   */
  private async pass(): Promise<number> {
    const { db, logger } = this.options;
    this.heldBack = false;
    const rows = (await this.claimBatch()).sort((a, b) => Number(a.id) - Number(b.id));
    if (rows.length === 0) return 0;
    const results = await this.publishBatch(rows);
    const failed: string[] = [];
    for (const [index, result] of results.entries()) {
      const row = rows[index] as OutboxRow;
      if (result.status === 'fulfilled') {
        this.unmarked.push(row.id);
        continue;
      }
      failed.push(row.id);
      logger.warn(
        { err: result.reason, event_id: row.event_id },
        'outbox publish failed; will retry',
      );
    }
    this.heldBack = failed.length > 0;
    if (failed.length > 0) {
      // Hold failed rows back a little, so rows that keep failing cannot starve newer ones.
      await db
        .updateTable('outbox')
        .set({ lease_until: sql<Date>`now() + make_interval(secs => ${HOLD_BACK_MS / 1000})` })
        .where('id', 'in', failed)
        .execute();
    }
    return rows.length - failed.length;
  }

  /** Marks the published rows sent, in one statement; a failure leaves them for the next try. */
  private async markPublished(): Promise<void> {
    if (this.unmarked.length === 0) return;
    const ids = this.unmarked;
    await this.options.db
      .updateTable('outbox')
      .set({ sent_at: sql<Date>`now()`, lease_until: null })
      .where('id', 'in', ids)
      .execute();
    this.unmarked = this.unmarked.filter((id) => !ids.includes(id));
  }

  /**
   * Leases unsent rows to this relay, and marks the rows it published last pass sent in
   * the same statement (a data-modifying CTE). SKIP LOCKED lets relays in several replicas
   * claim disjoint batches; a relay that dies mid-batch leaves a lease that expires, and
   * the rows are published again (JetStream's duplicate window and the inboxes drop copies).
   */
  private async claimBatch(): Promise<OutboxRow[]> {
    const marking = this.unmarked;
    // One statement whether or not there is anything to mark (`= any('{}')` matches none).
    const markingIds = sql`${marking}::bigint[]`;
    const rows = await this.options.db
      .with('marked', (qb) =>
        qb
          .updateTable('outbox')
          .set({ sent_at: sql<Date>`now()`, lease_until: null })
          .where(sql<boolean>`id = any(${markingIds})`)
          .returning('id'),
      )
      .updateTable('outbox')
      .set({ lease_until: sql<Date>`now() + make_interval(secs => ${this.leaseMs / 1000})` })
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('outbox')
          .select('id')
          .where('sent_at', 'is', null)
          .where((w) =>
            w.or([w('lease_until', 'is', null), w('lease_until', '<', sql<Date>`now()`)]),
          )
          // The statement's sub-select does not see the rows it marks as sent.
          .where(sql<boolean>`id <> all(${markingIds})`)
          .orderBy('id')
          .limit(this.batchSize)
          .forUpdate()
          .skipLocked(),
      )
      .returning([
        'id',
        'event_id',
        'subject',
        sql<string>`payload::text`.as('payload'),
        'traceparent',
      ])
      .execute();
    this.unmarked = this.unmarked.filter((id) => !marking.includes(id));
    return rows;
  }

  /**
   * Publishes a batch with pipelined acks: every publish is written to the connection, in
   * id order, before any ack is awaited. One connection delivers its messages to the
   * server in the order written, so the stream keeps the batch's order.
   */
  private publishBatch(rows: OutboxRow[]): Promise<PromiseSettledResult<void>[]> {
    // map() calls publish() for each row in turn, and each writes its message before its
    // first await (the span and the NATS request are set up synchronously).
    return Promise.allSettled(rows.map((row) => this.publish(row)));
  }

  private async publish(row: OutboxRow): Promise<void> {
    await inMessagingSpan(
      'send',
      row.subject,
      contextFromTraceparent(row.traceparent),
      async () => {
        const headers = natsHeaders();
        for (const [key, value] of Object.entries(traceHeaders(context.active()))) {
          headers.set(key, value);
        }
        const started = performance.now();
        let outcome: 'published' | 'failed' = 'failed';
        try {
          await this.options.js.publish(row.subject, row.payload, {
            msgID: row.event_id,
            headers,
          });
          outcome = 'published';
        } finally {
          this.options.metrics?.observeRelayPublish((performance.now() - started) / 1000, outcome);
        }
      },
    );
  }

  private async run(): Promise<void> {
    while (this.running) {
      let published = 0;
      try {
        published = await this.pass();
      } catch (error) {
        this.options.logger.error({ err: error }, 'outbox relay pass failed');
      }
      if (published >= this.batchSize || this.notified) {
        this.notified = false;
        continue;
      }
      // stop() may have come during the pass, when there was no sleep to wake yet.
      if (!this.running) break;
      await this.sleep(this.sleepMs());
      this.notified = false;
    }
    // Whatever the last passes published is marked before the relay reports stopped.
    await this.markPublished().catch((error: unknown) =>
      this.options.logger.warn({ err: error }, 'outbox rows published but not marked sent'),
    );
  }

  private sleepMs(): number {
    // Published rows wait for the next claim to mark them, but well within their lease.
    if (this.unmarked.length > 0) return Math.min(this.pollIntervalMs, this.markDelayMs);
    // Rows held back after a failed publish are due again soon: no NOTIFY will say so.
    if (this.heldBack) return Math.min(this.pollIntervalMs, HOLD_BACK_MS + 100);
    return this.pollIntervalMs;
  }

  private async sleep(ms: number): Promise<void> {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    this.wake = undefined;
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.databaseUrl,
      connectionTimeoutMillis: CONNECTION_WAIT_MS,
    });
    client.on('notification', () => {
      this.notified = true;
      this.wake?.();
    });
    // Losing the listener only slows the relay to its poll interval; it never loses rows.
    client.on('error', (error) => {
      this.options.logger.warn({ err: error }, 'outbox listener lost; polling until it is back');
      this.listenAgain(client);
    });
    client.on('end', () => this.listenAgain(client));
    try {
      await client.connect();
      await client.query(`LISTEN "${outboxChannel(this.options.schema)}"`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    this.listener = client;
  }

  /**
   * After the LISTEN connection is lost (the database stopped or restarted), the relay
   * polls and tries to listen again every RELISTEN_MS while it runs, so it is woken by
   * commits again once the database is back instead of polling for good.
   */
  private listenAgain(lost: pg.Client): void {
    if (this.listener !== lost) return;
    this.listener = undefined;
    lost.end().catch(() => undefined);
    const attempt = () => {
      if (!this.running) return;
      this.listen().then(
        () => {
          this.options.logger.info('outbox listener back');
          // Rows committed while nobody listened are due now.
          this.notified = true;
          this.wake?.();
        },
        () => setTimeout(attempt, RELISTEN_MS).unref(),
      );
    };
    setTimeout(attempt, RELISTEN_MS).unref();
  }
}
