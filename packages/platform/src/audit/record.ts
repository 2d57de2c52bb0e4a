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

/**
 * Appends entries to `<schema>.audit_log` in the caller's transaction, so they commit or
 * roll back with the state change they record. Each company's chain is extended under a
 * transaction-scoped advisory lock on (service, company): appends of one company in one
 * service are serialised from here to commit, which keeps sequence and prev_hash right
 * with any number of replicas. Call it as the last write of the transaction, so the lock
 * is held briefly and never taken before the use case's row locks.
 */
export async function appendAudit<DB>(
  serviceTrx: Transaction<DB>,
  schema: string,
  records: AuditRecord | AuditRecord[],
): Promise<AuditEntry[]> {
  const list = Array.isArray(records) ? records : [records];
  if (list.length === 0) return [];
  const trx = serviceTrx as unknown as Transaction<AuditTables>;
  const written: AuditEntry[] = [];
  // One chain per company: group, and lock companies in a fixed order (no deadlock
  // between two transactions writing for the same two companies).
  const companies = [...new Set(list.map((r) => r.companyId))].sort();
  for (const companyId of companies) {
    const entries = await appendForCompany(
      trx,
      schema,
      companyId,
      list.filter((r) => r.companyId === companyId),
    );
    written.push(...entries);
  }
  return written;
}

async function appendForCompany(
  trx: Transaction<AuditTables>,
  schema: string,
  companyId: string,
  records: AuditRecord[],
): Promise<AuditEntry[]> {
  await sql`select pg_advisory_xact_lock(hashtext(${`${schema}.audit_log`}), hashtext(${companyId}))`.execute(
    trx,
  );
  const head = await chainHead(trx, companyId);
  const scope = currentAuditScope();
  const traceId = currentTraceId();
  let previous = head;
  const entries = records.map((record) => {
    const content = contentOf(record, previous, scope.requestId ?? null, traceId, scope.caller);
    const entry: AuditEntry = { ...content, hash: hashAuditEntry(content) };
    previous = { sequence: entry.sequence, hash: entry.hash };
    return entry;
  });
  await trx.insertInto('audit_log').values(entries.map(toRow)).execute();
  return entries;
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
  requestId: string | null,
  traceId: string | null,
  caller: { id: string; role: string } | undefined,
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
