import type { Kysely } from 'kysely';
import type { AuditActorKind, AuditEntry } from './entry.js';
import type { AuditTables } from './table.js';

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

/** An entry's row joined to its chain row (absent until the chainer has linked it). */
export interface AuditEntryRow {
  id: string;
  company_id: string;
  occurred_at: Date;
  actor_kind: string;
  actor_id: string;
  actor_role: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  before: unknown;
  after: unknown;
  request_id: string | null;
  trace_id: string | null;
  sequence: string | null;
  prev_hash: string | null;
  hash: string | null;
}

/** The entry columns of `audit_log as l`, and the chain's of `audit_chain as c`. */
export const ENTRY_COLUMNS = [
  'l.id',
  'l.company_id',
  'l.occurred_at',
  'l.actor_kind',
  'l.actor_id',
  'l.actor_role',
  'l.action',
  'l.entity_type',
  'l.entity_id',
  'l.before',
  'l.after',
  'l.request_id',
  'l.trace_id',
] as const;
export const CHAIN_COLUMNS = ['c.sequence', 'c.prev_hash', 'c.hash'] as const;

/** A company's entries, newest first (occurred_at, then id), filtered; chained or not. */
export async function listAuditEntries(
  db: Kysely<AuditTables>,
  query: AuditQuery,
): Promise<AuditEntry[]> {
  let select = db
    .selectFrom('audit_log as l')
    // Only a well-formed place in the entry's own chain counts (verify judges the rest).
    .leftJoin('audit_chain as c', (join) =>
      join
        .onRef('c.entry_id', '=', 'l.id')
        .onRef('c.company_id', '=', 'l.company_id')
        .on('c.sequence', '>', '0' as never),
    )
    .select([...ENTRY_COLUMNS, ...CHAIN_COLUMNS])
    .where('l.company_id', '=', query.companyId);
  if (query.actorId) select = select.where('l.actor_id', '=', query.actorId);
  if (query.action) select = select.where('l.action', '=', query.action);
  if (query.entityType) select = select.where('l.entity_type', '=', query.entityType);
  if (query.entityId) select = select.where('l.entity_id', '=', query.entityId);
  if (query.from) select = select.where('l.occurred_at', '>=', query.from as never);
  if (query.to) select = select.where('l.occurred_at', '<', query.to as never);
  const before = query.before;
  if (before) {
    select = select.where((eb) =>
      eb(
        eb.refTuple('l.occurred_at', 'l.id'),
        '<',
        eb.tuple(before.occurredAt as never, before.id),
      ),
    );
  }
  const rows = await select
    .orderBy('l.occurred_at', 'desc')
    .orderBy('l.id', 'desc')
    .limit(query.limit)
    .execute();
  return rows.map(entryOfRow);
}

export function entryOfRow(row: AuditEntryRow): AuditEntry {
  return {
    id: row.id,
    company_id: row.company_id,
    sequence: row.sequence === null ? null : Number(row.sequence),
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
