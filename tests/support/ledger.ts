/**
 * The ledger checker of issue 15: a test records every request the system accepted
 * (recordCreate, recordApproval: each 2xx and what it did) and what it caused on purpose
 * (expectForeignMessage, expectDeadLetter); `check()` waits (bounded) for the system to
 * settle, reads every outbox, chain, expense, audit entry, notification and dead letter
 * as the superuser and every message of the event streams, and returns the broken promises
 * as sentences (ledger-check.ts): none means every accepted expense is in one legal state,
 * no transition happened twice, each has its audit entry and notifications, nothing is left
 * unpublished and no dead letter is unexplained.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FeedStream, Streams } from '@countersign/contracts';
import { natsServers } from '@countersign/platform';
import { type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type pg from 'pg';
import {
  type AcceptedRequest,
  type AuditRow,
  type ChainRow,
  type DeadLetterRow,
  type ExpenseRow,
  findViolations,
  type LedgerSnapshot,
  type NotificationRow,
  type OutboxEntry,
  type StreamMessage,
} from './ledger-check.js';

/** Where the ledger reads the system: a TestCluster is one. */
export interface LedgerSource {
  /** The services' database, as the superuser (reads every schema). */
  readonly db: pg.Pool;
  readonly natsUrl: string;
  readonly natsCredentials: { user?: string; pass?: string };
}

/** The schemas of the four services: each has an outbox, an audit log and dead letters. */
export const serviceSchemas = ['identity', 'expense', 'approval', 'notification'] as const;
/** The streams relays publish to (the audit checkpoints are not events of an outbox). */
const relayedStreams = [...Object.values(Streams), FeedStream.name];

export interface CheckOptions {
  /** How long to wait for outboxes and durable consumers to drain before reading (180 s). */
  settleTimeoutMs?: number;
}

export class Ledger {
  private readonly accepted: AcceptedRequest[] = [];
  private readonly foreignMessageIds = new Set<string>();
  private readonly deadLetterEventIds = new Set<string>();

  /** A create answered 201 with this expense id. */
  recordCreate(expenseId: string): void {
    this.accepted.push({ kind: 'create', expenseId });
  }

  /** An approval answered 2xx, with the expense status it reported (if any). */
  recordApproval(expenseId: string, expenseStatus: string | undefined): void {
    this.accepted.push({ kind: 'approve', expenseId, expenseStatus });
  }

  /** The case published this message (Nats-Msg-Id) straight to a stream. */
  expectForeignMessage(msgId: string): void {
    this.foreignMessageIds.add(msgId);
  }

  /** The case made this event fail on purpose: it must be dead-lettered. */
  expectDeadLetter(eventId: string): void {
    this.deadLetterEventIds.add(eventId);
  }

  get acceptedCount(): number {
    return this.accepted.length;
  }

  /** Settles (bounded), reads the system, and returns every violation found. */
  async check(source: LedgerSource, options: CheckOptions = {}): Promise<string[]> {
    const nc = await connect({
      servers: natsServers(source.natsUrl),
      ...source.natsCredentials,
      maxReconnectAttempts: -1,
    });
    try {
      const jsm = await jetstreamManager(nc, { timeout: 20_000 });
      const unsettled = await settle(source.db, jsm, options.settleTimeoutMs ?? 180_000);
      const snapshot = await this.snapshot(source.db, nc, jsm);
      const violations = findViolations(snapshot, {
        foreignMessageIds: this.foreignMessageIds,
        deadLetterEventIds: this.deadLetterEventIds,
      });
      return unsettled ? [`did not settle: ${unsettled}`, ...violations] : violations;
    } finally {
      await nc.close();
    }
  }

  private async snapshot(
    db: pg.Pool,
    nc: NatsConnection,
    jsm: JetStreamManager,
  ): Promise<LedgerSnapshot> {
    const rows = async <T extends pg.QueryResultRow>(text: string): Promise<T[]> =>
      (await db.query<T>(text)).rows;
    const perSchema = async <T extends pg.QueryResultRow>(select: (schema: string) => string) =>
      (await Promise.all(serviceSchemas.map((schema) => rows<T>(select(schema))))).flat();
    // The streams first: every message read then has its outbox row committed.
    const streamsReadAt = (await rows<{ now: string }>('select now()::text now'))[0]?.now;
    const streams = await readStreams(nc, jsm);
    return {
      accepted: [...this.accepted],
      expenses: await rows<ExpenseRow>('select id, status from expense.expense'),
      chains: await rows<ChainRow>('select expense_id "expenseId", status from approval.chain'),
      outbox: await perSchema<OutboxEntry>(
        (schema) => `select '${schema}' "schema", event_id "eventId", subject "natsSubject",
          case when subject like 'countersign.feed.%' then null else payload->>'type' end "type", payload->>'subject' aggregate,
          (payload->'data'->>'round')::int round, (payload->'data'->>'step')::int step,
          sent_at is not null sent,
          coalesce(sent_at < '${streamsReadAt}'::timestamptz, false) "sentBeforeStreamsRead"
          from ${schema}.outbox`,
      ),
      streams,
      audit: await perSchema<AuditRow>(
        (schema) =>
          `select '${schema}' "schema", action, entity_id "entityId" from ${schema}.audit_log`,
      ),
      notifications: await rows<NotificationRow>(
        `select id, source_event_id "sourceEventId", recipient_id "recipientId"
           from notification.notification`,
      ),
      deadLetters: await perSchema<DeadLetterRow>(
        (schema) => `select '${schema}' "schema", consumer, event_id "eventId",
          subject "natsSubject", stream_sequence::int "streamSequence" from ${schema}.dead_letter`,
      ),
    };
  }
}

/**
 * Waits until no outbox row is unsent and no durable consumer has anything pending or
 * unacked, twice in a row; returns what was still moving at the deadline, if it came.
 */
async function settle(
  db: pg.Pool,
  jsm: JetStreamManager,
  timeoutMs: number,
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  let quietPolls = 0;
  let moving = '';
  while (Date.now() < deadline) {
    moving = await whatIsMoving(db, jsm).catch((error: unknown) => String(error));
    quietPolls = moving === '' ? quietPolls + 1 : 0;
    if (quietPolls >= 2) return undefined;
    await sleep(500);
  }
  return moving;
}

async function whatIsMoving(db: pg.Pool, jsm: JetStreamManager): Promise<string> {
  const moving: string[] = [];
  for (const schema of serviceSchemas) {
    const unsent = await db.query<{ n: number }>(
      `select count(*)::int n from ${schema}.outbox where sent_at is null`,
    );
    const n = unsent.rows[0]?.n ?? 0;
    if (n > 0) moving.push(`${schema}.outbox ${n} unsent`);
  }
  for (const stream of Object.values(Streams)) {
    for await (const info of jsm.consumers.list(stream)) {
      if (info.config.durable_name === undefined) continue; // ordered readers come and go
      if (info.num_pending > 0 || info.num_ack_pending > 0) {
        moving.push(`${info.name} ${info.num_pending} pending ${info.num_ack_pending} unacked`);
      }
    }
  }
  return moving.join(', ');
}

/** Every message of the relayed streams, with its Nats-Msg-Id, read by ordered consumers. */
async function readStreams(nc: NatsConnection, jsm: JetStreamManager): Promise<StreamMessage[]> {
  const js = jetstream(nc);
  const messages: StreamMessage[] = [];
  for (const stream of relayedStreams) {
    const { state } = await jsm.streams.info(stream);
    if (state.messages === 0) continue;
    const consumer = await js.consumers.get(stream);
    const iterator = await consumer.consume();
    for await (const msg of iterator) {
      messages.push({ stream, seq: msg.seq, msgId: msg.headers?.get('Nats-Msg-Id') || undefined });
      if (msg.seq >= state.last_seq) break;
    }
    await iterator.close();
  }
  return messages;
}
