import { EventCatalogue, type EventOf, type EventType } from '@countersign/contracts';
import type { JetStreamClient } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/transport-node';
import { context } from '@opentelemetry/api';
import { type Kysely, sql, type Transaction } from 'kysely';
import pg from 'pg';
import type { Logger } from '../logger.js';
import { contextFromTraceparent, inMessagingSpan, traceHeaders } from '../telemetry/propagation.js';
import type { MessagingTables } from './tables.js';

/** How long a row whose publish failed waits before it is claimed again. */
const HOLD_BACK_MS = 5_000;

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
}

interface OutboxRow {
  id: string;
  event_id: string;
  subject: string;
  payload: unknown;
  traceparent: string | null;
}

/**
 * Publishes committed outbox rows to JetStream with Nats-Msg-Id = event id. Each pass
 * leases a batch, publishes it and marks it sent, two statements per batch whatever its
 * size. A crash between publish and mark re-publishes after the lease; JetStream's
 * duplicate window and the consumers' inbox drop the copy.
 */
export class OutboxRelay {
  private running = false;
  private wake: (() => void) | undefined;
  /** Set by NOTIFY arriving while a pass runs, so the loop goes again instead of sleeping. */
  private notified = false;
  /** The last pass held rows back after failed publishes. */
  private heldBack = false;
  private loop: Promise<void> | undefined;
  private listener: pg.Client | undefined;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly leaseMs: number;

  constructor(private readonly options: OutboxRelayOptions) {
    this.batchSize = options.batchSize ?? 200;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
    this.leaseMs = options.leaseMs ?? 10_000;
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
   * Claims a batch (one statement), publishes it, marks what was published sent (one
   * statement) and releases what was not. Returns how many rows were marked sent.
   */
  async drainOnce(): Promise<number> {
    const { db, logger } = this.options;
    this.heldBack = false;
    const rows = (await this.claimBatch()).sort((a, b) => Number(a.id) - Number(b.id));
    if (rows.length === 0) return 0;
    const results = await Promise.allSettled(rows.map((row) => this.publish(row)));
    const sent = rows
      .filter((_, index) => results[index]?.status === 'fulfilled')
      .map((row) => row.id);
    const failed = rows
      .filter((_, index) => results[index]?.status === 'rejected')
      .map((row) => row.id);
    for (const [index, result] of results.entries()) {
      if (result.status === 'rejected') {
        logger.warn(
          { err: result.reason, event_id: rows[index]?.event_id },
          'outbox publish failed; will retry',
        );
      }
    }
    if (sent.length > 0) {
      await db
        .updateTable('outbox')
        .set({ sent_at: new Date(), lease_until: null })
        .where('id', 'in', sent)
        .execute();
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
    return sent.length;
  }

  /**
   * Leases unsent rows to this relay. SKIP LOCKED lets relays in several replicas claim
   * disjoint batches; a relay that dies mid-batch leaves a lease that expires, and the
   * rows are published again (JetStream's duplicate window and the inboxes drop copies).
   */
  private async claimBatch(): Promise<OutboxRow[]> {
    return this.options.db
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
          .orderBy('id')
          .limit(this.batchSize)
          .forUpdate()
          .skipLocked(),
      )
      .returning(['id', 'event_id', 'subject', 'payload', 'traceparent'])
      .execute();
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
      // stop() may have come during the pass, when there was no sleep to wake yet.
      if (!this.running) break;
      // Rows held back after a failed publish are due again soon: no NOTIFY will say so.
      const sleepMs = this.heldBack
        ? Math.min(this.pollIntervalMs, HOLD_BACK_MS + 100)
        : this.pollIntervalMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, sleepMs);
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
