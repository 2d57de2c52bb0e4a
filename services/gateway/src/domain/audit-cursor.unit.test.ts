import type { AuditLogEntry, AuditService } from '@countersign/contracts';
import { describe, expect, it } from 'vitest';
import { compareMerged, mergeAuditPages, serviceKeyAfter } from './audit-cursor.js';

const entry = (service: AuditService, at: string, id: string): AuditLogEntry => ({
  id,
  service,
  company_id: '0197a000-0000-7000-8000-000000000001',
  sequence: 1,
  occurred_at: at,
  actor: { kind: 'user', id: 'u', role: null },
  action: 'x.done',
  entity_type: 'x',
  entity_id: null,
  before: null,
  after: null,
  request_id: null,
  trace_id: null,
  prev_hash: '0',
  hash: '1',
});

const T1 = '2026-11-24T10:00:00.000Z';
const T2 = '2026-11-24T11:00:00.000Z';
const id = (n: number) => `0197a000-0000-7000-8000-${String(n).padStart(12, '0')}`;

/** What a service answers for a keyset: its entries older than (at, id), newest first. */
function serviceAnswer(
  all: AuditLogEntry[],
  service: AuditService,
  key?: { before_at: string; before_id: string },
) {
  return all
    .filter((e) => e.service === service)
    .filter((e) => {
      if (!key) return true;
      const t = Date.parse(e.occurred_at);
      const k = Date.parse(key.before_at);
      return t < k || (t === k && e.id < key.before_id);
    })
    .sort(compareMerged);
}

describe('the merged audit trail', () => {
  const all = [
    entry('gateway', T2, id(1)),
    entry('expense', T2, id(2)),
    entry('expense', T2, id(3)),
    entry('approval', T1, id(4)),
    entry('gateway', T1, id(5)),
    entry('notification', T1, id(6)),
    entry('approval', T2, id(7)),
  ];

  it('walks every entry exactly once whatever the page size', () => {
    for (const limit of [1, 2, 3, 7, 10]) {
      const seen: string[] = [];
      let position = null as ReturnType<typeof mergeAuditPages>['next'];
      for (let guard = 0; guard < 20; guard++) {
        const pages = (['gateway', 'expense', 'approval', 'notification'] as const).map((s) =>
          serviceAnswer(all, s, position ? serviceKeyAfter(position, s) : undefined).slice(
            0,
            limit + 1,
          ),
        );
        const page = mergeAuditPages(pages, limit);
        seen.push(...page.items.map((e) => e.id));
        position = page.next;
        if (!position) break;
      }
      expect(seen.sort()).toEqual(all.map((e) => e.id).sort());
    }
  });

  it('orders newest first, then by service, then by id descending', () => {
    const { items } = mergeAuditPages([all], 10);
    expect(items.map((e) => e.id)).toEqual([id(1), id(3), id(2), id(7), id(5), id(4), id(6)]);
  });

  it('says there is no next page when everything fitted', () => {
    expect(mergeAuditPages([all], 7).next).toBeNull();
    expect(mergeAuditPages([all], 6).next).not.toBeNull();
  });
});
