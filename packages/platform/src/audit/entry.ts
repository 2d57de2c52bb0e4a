import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical.js';

/** prev_hash of a company's first entry in a service. */
export const GENESIS_HASH = '0'.repeat(64);

export type AuditActorKind = 'user' | 'system' | 'service';

export interface AuditActor {
  kind: AuditActorKind;
  /** A user id, or the name of the service or job acting. */
  id: string;
  /** The user's role when the entry was written, where known. */
  role?: string | null;
}

/** Everything an entry says; its hash covers exactly these fields. */
export interface AuditEntryContent {
  id: string;
  company_id: string;
  sequence: number;
  occurred_at: string;
  actor: { kind: AuditActorKind; id: string; role: string | null };
  action: string;
  entity_type: string;
  entity_id: string | null;
  before: unknown;
  after: unknown;
  request_id: string | null;
  trace_id: string | null;
  prev_hash: string;
}

/** What a business transaction writes: the content without its place in the chain. */
export type AuditEntryFacts = Omit<AuditEntryContent, 'sequence' | 'prev_hash'>;

/**
 * An entry as read back: its place in the chain (sequence, prev_hash, hash) is null until
 * the chainer has linked it, shortly after its transaction committed.
 */
export interface AuditEntry extends AuditEntryFacts {
  sequence: number | null;
  prev_hash: string | null;
  hash: string | null;
}

/** SHA-256 (hex) over the canonical JSON of the entry's content, prev_hash included. */
export function hashAuditEntry(content: AuditEntryContent): string {
  const fields: AuditEntryContent = {
    id: content.id,
    company_id: content.company_id,
    sequence: content.sequence,
    occurred_at: content.occurred_at,
    actor: { kind: content.actor.kind, id: content.actor.id, role: content.actor.role },
    action: content.action,
    entity_type: content.entity_type,
    entity_id: content.entity_id,
    before: content.before ?? null,
    after: content.after ?? null,
    request_id: content.request_id,
    trace_id: content.trace_id,
    prev_hash: content.prev_hash,
  };
  return createHash('sha256').update(canonicalJson(fields)).digest('hex');
}

/**
 * before/after as they will read back from jsonb: plain JSON values (Dates as strings,
 * undefined members gone), so the hash computed now is the hash verify recomputes.
 */
export function asStoredJson(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  return JSON.parse(canonicalJson(value));
}
