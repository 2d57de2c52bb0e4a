import { type Kysely, sql, type Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { currentAuditScope, currentTraceId } from './context.js';
import {
  type AuditActor,
  type AuditEntry,
  type AuditEntryContent,
  asStoredJson,
  GENESIS_HASH,
  hashAuditEntry,
} from './entry.js';
import type { AuditTables } from './table.js';

/** One thing that happened, as a use case describes it. */
export interface AuditRecord {
  companyId: string;
  actor: AuditActor;
  /** A dotted past-tense verb: `expense.submitted`, `auth.login_failed`. */
  action: string;
  entity: { type: string; id?: string | null };
  /** The entity before and after the change, where that applies. */
  before?: unknown;
  after?: unknown;
  /** Defaults to now. */
  occurredAt?: Date;
}

/** What a record is written with: the request and trace it was made in, captured at once. */
interface PendingRecord {
  schema: string;
  record: AuditRecord;
  context: RecordContext;
}

interface RecordContext {
  requestId: string | null;
  traceId: string | null;
  caller: { id: string; role: string } | undefined;
}

/** Transactions whose appends wait for flushDeferredAudit (see deferAudit). */
const deferredBy = new WeakMap<object, PendingRecord[]>();

/**
 * Appends entries to `<schema>.audit_log` in the caller's transaction, so they commit or
 * roll back with the state change they record. Each company's chain is extended under a
 * transaction-scoped advisory lock on (service, company): appends of one company in one
 * service are serialised from here to commit, which keeps sequence and prev_hash right
 * with any number of replicas. Call it as the last write of the transaction, so the lock
 * is held briefly and never taken before the use case's row locks. In a transaction
 * passed to deferAudit, the entries are only noted here and written by flushDeferredAudit.
 */
export async function appendAudit<DB>(
  serviceTrx: Transaction<DB>,
  schema: string,
  records: AuditRecord | AuditRecord[],
): Promise<void> {
  const list = Array.isArray(records) ? records : [records];
  if (list.length === 0) return;
  const scope = currentAuditScope();
  const context = {
    requestId: scope.requestId ?? null,
    traceId: currentTraceId(),
    caller: scope.caller,
  };
  const pending = list.map((record) => ({ schema, record, context }));
  const deferred = deferredBy.get(serviceTrx);
  if (deferred) deferred.push(...pending);
  else await writePending(serviceTrx as unknown as Transaction<AuditTables>, pending);
}

/**
 * Makes the transaction's appends wait for flushDeferredAudit. A transaction that runs
 * several use cases (a consumer's batch) would otherwise take a company's chain lock in
 * its first one and hold it while the later ones take row locks: a deadlock with any
 * request that holds such a row and then appends for the same company.
 */
export function deferAudit(trx: object): void {
  deferredBy.set(trx, []);
}

/** Writes the deferred entries, in the order they were recorded, as the last writes. */
export async function flushDeferredAudit(trx: object): Promise<void> {
  const pending = deferredBy.get(trx) ?? [];
  deferredBy.delete(trx);
  await writePending(trx as Transaction<AuditTables>, pending);
}

async function writePending(
  trx: Transaction<AuditTables>,
  pending: PendingRecord[],
): Promise<void> {
  // One chain per company and service: group, and lock in a fixed order (no deadlock
  // between two transactions writing for the same two companies).
  const chains = new Map<string, PendingRecord[]>();
  for (const item of pending) {
    const key = `${item.schema}\u0000${item.record.companyId}`;
    chains.set(key, [...(chains.get(key) ?? []), item]);
  }
  for (const key of [...chains.keys()].sort()) {
    await appendToChain(trx, chains.get(key) ?? []);
  }
}

async function appendToChain(trx: Transaction<AuditTables>, items: PendingRecord[]) {
  const first = items[0];
  if (!first) return;
  const { schema } = first;
  const companyId = first.record.companyId;
  await sql`select pg_advisory_xact_lock(hashtext(${`${schema}.audit_log`}), hashtext(${companyId}))`.execute(
    trx,
  );
  let previous = await chainHead(trx, companyId);
  const entries = items.map(({ record, context }) => {
    const content = contentOf(record, previous, context);
    const entry: AuditEntry = { ...content, hash: hashAuditEntry(content) };
    previous = { sequence: entry.sequence, hash: entry.hash };
    return entry;
  });
  await trx.insertInto('audit_log').values(entries.map(toRow)).execute();
}

interface ChainHead {
  sequence: number;
  hash: string;
}

async function chainHead(db: Kysely<AuditTables>, companyId: string): Promise<ChainHead> {
  const row = await db
    .selectFrom('audit_log')
    .select(['sequence', 'hash'])
    .where('company_id', '=', companyId)
    .orderBy('sequence', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row
    ? { sequence: Number(row.sequence), hash: row.hash }
    : { sequence: 0, hash: GENESIS_HASH };
}

function contentOf(
  record: AuditRecord,
  previous: ChainHead,
  { requestId, traceId, caller }: RecordContext,
): AuditEntryContent {
  // The request's authenticated caller knows their role; an entry written for them gets it.
  const role =
    record.actor.role ??
    (record.actor.kind === 'user' && caller?.id === record.actor.id ? caller.role : null);
  return {
    id: uuidv7(),
    company_id: record.companyId,
    sequence: previous.sequence + 1,
    occurred_at: (record.occurredAt ?? new Date()).toISOString(),
    actor: { kind: record.actor.kind, id: record.actor.id, role },
    action: record.action,
    entity_type: record.entity.type,
    entity_id: record.entity.id ?? null,
    before: asStoredJson(record.before),
    after: asStoredJson(record.after),
    request_id: requestId,
    trace_id: traceId,
    prev_hash: previous.hash,
  };
}

function toRow(entry: AuditEntry) {
  return {
    id: entry.id,
    company_id: entry.company_id,
    sequence: entry.sequence,
    occurred_at: new Date(entry.occurred_at),
    actor_kind: entry.actor.kind,
    actor_id: entry.actor.id,
    actor_role: entry.actor.role,
    action: entry.action,
    entity_type: entry.entity_type,
    entity_id: entry.entity_id,
    before: entry.before === null ? null : JSON.stringify(entry.before),
    after: entry.after === null ? null : JSON.stringify(entry.after),
    request_id: entry.request_id,
    trace_id: entry.trace_id,
    prev_hash: entry.prev_hash,
    hash: entry.hash,
  };
}
