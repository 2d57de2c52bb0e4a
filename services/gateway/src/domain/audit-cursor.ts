import type { AuditLogEntry, AuditService } from '@countersign/contracts';

/** The order services are merged in when entries share an instant. */
export const AUDIT_SERVICES: readonly AuditService[] = [
  'gateway',
  'expense',
  'approval',
  'notification',
];

/** The merged trail's position: the last entry handed out (instant, service, id). */
export interface AuditPosition {
  at: string;
  service: AuditService;
  id: string;
}

const NO_ID = '00000000-0000-0000-0000-000000000000';
const EVERY_ID = 'ffffffff-ffff-ffff-ffff-ffffffffffff';

/**
 * The merged trail is ordered newest first by (occurred_at desc, service rank asc, id
 * desc). Each service is asked for what comes after the position in that order, as a
 * keyset (occurred_at, id) < (at, id) on its own trail: at the same instant, a service
 * ranked before the position's has handed out everything (nothing at `at` remains), one
 * ranked after it nothing yet (everything at `at` remains).
 */
export function serviceKeyAfter(
  position: AuditPosition,
  service: AuditService,
): { before_at: string; before_id: string } {
  const rank = AUDIT_SERVICES.indexOf(service);
  const positionRank = AUDIT_SERVICES.indexOf(position.service);
  const id = rank < positionRank ? NO_ID : rank > positionRank ? EVERY_ID : position.id;
  return { before_at: position.at, before_id: id };
}

/** Newest first; ties broken by service rank, then id descending (as each service sorts). */
export function compareMerged(a: AuditLogEntry, b: AuditLogEntry): number {
  const byTime = Date.parse(b.occurred_at) - Date.parse(a.occurred_at);
  if (byTime !== 0) return byTime;
  const byService = AUDIT_SERVICES.indexOf(a.service) - AUDIT_SERVICES.indexOf(b.service);
  if (byService !== 0) return byService;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

/**
 * One page of the merged trail from each service's next entries (each service's list
 * sorted its way, at most `limit` + 1 long): the first `limit` overall, and the position
 * to continue from when anything is left.
 */
export function mergeAuditPages(
  pages: AuditLogEntry[][],
  limit: number,
): { items: AuditLogEntry[]; next: AuditPosition | null } {
  const merged = pages.flat().sort(compareMerged);
  const items = merged.slice(0, limit);
  const last = items.at(-1);
  const next =
    merged.length > limit && last
      ? { at: last.occurred_at, service: last.service, id: last.id }
      : null;
  return { items, next };
}
