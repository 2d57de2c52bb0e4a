import type { Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { currentAuditScope, currentTraceId } from './context.js';
import { type AuditActor, type AuditEntryFacts, asStoredJson } from './entry.js';
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

interface RecordContext {
  requestId: string | null;
  traceId: string | null;
  caller: { id: string; role: string } | undefined;
}

/**
 * Appends entries to `<schema>.audit_log` in the caller's transaction, so they commit or
 * roll back with the state change they record. Only the facts are written here, with no
 * lock: a trigger queues each entry and the chainer (startAuditChainer) gives it its place
 * in the company's chain after commit. The id is a uuidv7, so the chainer links entries
 * in about the order they were written. It goes to the transaction's own schema.
 */
export async function appendAudit<DB>(
  serviceTrx: Transaction<DB>,
  records: AuditRecord | AuditRecord[],
): Promise<void> {
  const list = Array.isArray(records) ? records : [records];
  if (list.length === 0) return;
  const scope = currentAuditScope();
  const context: RecordContext = {
    requestId: scope.requestId ?? null,
    traceId: currentTraceId(),
    caller: scope.caller,
  };
  // The transaction's own schema's table (int tests run services in scratch schemas).
  const trx = serviceTrx as unknown as Transaction<AuditTables>;
  await trx
    .insertInto('audit_log')
    .values(list.map((record) => toRow(factsOf(record, context))))
    .execute();
}

function factsOf(
  record: AuditRecord,
  { requestId, traceId, caller }: RecordContext,
): AuditEntryFacts {
  // The request's authenticated caller knows their role; an entry written for them gets it.
  const role =
    record.actor.role ??
    (record.actor.kind === 'user' && caller?.id === record.actor.id ? caller.role : null);
  return {
    id: uuidv7(),
    company_id: record.companyId,
    occurred_at: (record.occurredAt ?? new Date()).toISOString(),
    actor: { kind: record.actor.kind, id: record.actor.id, role },
    action: record.action,
    entity_type: record.entity.type,
    entity_id: record.entity.id ?? null,
    before: asStoredJson(record.before),
    after: asStoredJson(record.after),
    request_id: requestId,
    trace_id: traceId,
  };
}

function toRow(entry: AuditEntryFacts) {
  return {
    id: entry.id,
    company_id: entry.company_id,
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
  };
}
