import { EventCatalogue, type EventOf, type EventType } from '@countersign/contracts';
import type { JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { context } from '@opentelemetry/api';
import { type Kysely, sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { Logger } from '../logger.js';
import { contextFromTraceparent, inMessagingSpan, traceHeaders } from '../telemetry/propagation.js';
import type { MessagingTables } from './tables.js';

export const outboxChannel = (schema: string): string => `${schema}_outbox`;

/**
 * Writes events to the outbox inside the caller's transaction, so they commit or roll
 * back with the state change they announce. NOTIFY wakes the relay once the commit lands.
 */
export async function enqueueEvents<DB extends MessagingTables, T extends EventType>(
  serviceTrx: Transaction<DB>,
  schema: string,
  events: EventOf<T>[],
): Promise<void> {
  if (events.length === 0) return;
  // Every service's database type includes the messaging tables; widen to reach them.
  const trx = serviceTrx as unknown as Transaction<MessagingTables>;
  await trx
    .insertInto('outbox')
    .values(
      events.map((event) => ({
        event_id: event.id,
        subject: EventCatalogue[event.type as EventType].subject,
        payload: JSON.stringify(event),
        traceparent: event.traceparent ?? null,
      })),
    )
    .execute();
  await sql`select pg_notify(${outboxChannel(schema)}, '')`.execute(trx);
}

export interface OutboxRelayOptions {
  db: Kysely<MessagingTables>;
  js: JetStreamClient;
  logger: Logger;
  databaseUrl: string;
  schema: string;
  batchSize?: number;
  pollIntervalMs?: number;
}

interface OutboxRow {
  id: string;
  event_id: string;
  subject: string;
  payload: unknown;
  traceparent: string | null;
}

/**
 * Publishes committed outbox rows to JetStream. Each pass locks a batch with
 * FOR UPDATE SKIP LOCKED (so relays in several replicas share rows), publishes them with
 * Nats-Msg-Id = event id, and marks the published ones sent in one UPDATE. A crash
 * between publish and mark re-publishes; JetStream's duplicate window and the
 * consumers' inbox drop the copy.
 */
export class OutboxRelay {
  private running = false;
  private wake: (() => void) | undefined;
  /** Set by NOTIFY arriving while a pass runs, so the loop goes again instead of sleeping. */
  private notified = false;
  private loop: Promise<void> | undefined;
  private listener: pg.Client | undefined;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 200;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
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

  /** Publishes everything unsent now; returns how many rows were marked sent. */
  async drainOnce(): Promise<number> {
    return this.options.db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('outbox')
        .select(['id', 'event_id', 'subject', 'payload', 'traceparent'])
        .where('sent_at', 'is', null)
        .orderBy('id')
        .limit(this.batchSize)
        .forUpdate()
        .skipLocked()
        .execute();
      if (rows.length === 0) return 0;
      const results = await Promise.allSettled(rows.map((row) => this.publish(row)));
      const sent = rows.filter((_, index) => results[index]?.status === 'fulfilled');
      for (const [index, result] of results.entries()) {
        if (result.status === 'rejected') {
          this.options.logger.warn(
            { err: result.reason, event_id: rows[index]?.event_id },
            'outbox publish failed; will retry',
          );
        }
      }
      if (sent.length > 0) {
        await trx
          .updateTable('outbox')
          .set({ sent_at: new Date() })
          .where(
            'id',
            'in',
            sent.map((row) => row.id),
          )
          .execute();
      }
      return sent.length;
    });
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
        await this.options.js.publish(row.subject, JSON.stringify(row.payload), {
          msgID: row.event_id,
          headers,
        });
      },
    );
  }

  private async run(): Promise<void> {
    while (this.running) {
      let published = 0;
      try {
        published = await this.drainOnce();
      } catch (error) {
        this.options.logger.error({ err: error }, 'outbox relay pass failed');
      }
      if (published >= this.batchSize || this.notified) {
        this.notified = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.pollIntervalMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
      this.notified = false;
    }
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl });
    client.on('notification', () => {
      this.notified = true;
      this.wake?.();
    });
    // Losing the listener only slows the relay to its poll interval; it never loses rows.
    client.on('error', (error) => this.options.logger.warn({ err: error }, 'outbox listener lost'));
    await client.connect();
    await client.query(`LISTEN "${outboxChannel(this.options.schema)}"`);
    this.listener = client;
  }
}
