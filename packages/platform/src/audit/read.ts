import type { Kysely, Selectable } from 'kysely';
import type { AuditActorKind, AuditEntry } from './entry.js';
import type { AuditLogTable, AuditTables } from './table.js';

export interface AuditQuery {
  companyId: string;
  actorId?: string;
  action?: string;
  entityType?: string;
  entityId?: string;
  /** occurred_at >= from, < to. */
  from?: Date;
  to?: Date;
  /** Keyset: only entries strictly older than (occurredAt, id) in newest-first order. */
  before?: { occurredAt: Date; id: string };
  limit: number;
}

/** A company's entries, newest first (occurred_at, then id), filtered. */
export async function listAuditEntries(
  db: Kysely<AuditTables>,
  query: AuditQuery,
): Promise<AuditEntry[]> {
  let select = db.selectFrom('audit_log').selectAll().where('company_id', '=', query.companyId);
  if (query.actorId) select = select.where('actor_id', '=', query.actorId);
  if (query.action) select = select.where('action', '=', query.action);
  if (query.entityType) select = select.where('entity_type', '=', query.entityType);
  if (query.entityId) select = select.where('entity_id', '=', query.entityId);
  if (query.from) select = select.where('occurred_at', '>=', query.from as never);
  if (query.to) select = select.where('occurred_at', '<', query.to as never);
  const before = query.before;
  if (before) {
    select = select.where((eb) =>
      eb(eb.refTuple('occurred_at', 'id'), '<', eb.tuple(before.occurredAt as never, before.id)),
    );
  }
  const rows = await select
    .orderBy('occurred_at', 'desc')
    .orderBy('id', 'desc')
    .limit(query.limit)
    .execute();
  return rows.map(entryOfRow);
}

export function entryOfRow(row: Selectable<AuditLogTable>): AuditEntry {
  return {
    id: row.id,
    company_id: row.company_id,
    sequence: Number(row.sequence),
    occurred_at: row.occurred_at.toISOString(),
    actor: { kind: row.actor_kind as AuditActorKind, id: row.actor_id, role: row.actor_role },
    action: row.action,
    entity_type: row.entity_type,
    entity_id: row.entity_id,
    before: row.before ?? null,
    after: row.after ?? null,
    request_id: row.request_id,
    trace_id: row.trace_id,
    prev_hash: row.prev_hash,
    hash: row.hash,
  };
}
