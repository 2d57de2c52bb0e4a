import { describe, expect, it } from 'vitest';
import { type AuditEntryContent, asStoredJson, GENESIS_HASH, hashAuditEntry } from './entry.js';

const content: AuditEntryContent = {
  id: '0197a000-0000-7000-8000-000000000001',
  company_id: '0197a000-0000-7000-8000-000000000002',
  sequence: 7,
  occurred_at: '2026-11-24T10:00:00.000Z',
  actor: { kind: 'user', id: 'u-1', role: 'finance' },
  action: 'expense.edited',
  entity_type: 'expense',
  entity_id: 'e-1',
  before: { amount: '10.00' },
  after: { amount: '12.50', tags: ['a'] },
  request_id: 'r-1',
  trace_id: '0af7651916cd43dd8448eb211c80319c',
  prev_hash: GENESIS_HASH,
};

describe('hashAuditEntry', () => {
  it('is a SHA-256 in hex, the same for the same content', () => {
    expect(hashAuditEntry(content)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashAuditEntry({ ...content })).toBe(hashAuditEntry(content));
  });

  it('changes when any field changes, prev_hash included', () => {
    const base = hashAuditEntry(content);
    const changes: Partial<AuditEntryContent>[] = [
      { id: '0197a000-0000-7000-8000-000000000009' },
      { company_id: '0197a000-0000-7000-8000-000000000009' },
      { sequence: 8 },
      { occurred_at: '2026-11-24T10:00:00.001Z' },
      { actor: { kind: 'user', id: 'u-2', role: 'finance' } },
      { actor: { kind: 'user', id: 'u-1', role: 'admin' } },
      { actor: { kind: 'system', id: 'u-1', role: 'finance' } },
      { action: 'expense.deleted' },
      { entity_type: 'receipt' },
      { entity_id: null },
      { before: null },
      { after: { amount: '12.51', tags: ['a'] } },
      { request_id: null },
      { trace_id: null },
      { prev_hash: 'f'.repeat(64) },
    ];
    for (const change of changes) {
      expect(hashAuditEntry({ ...content, ...change }), JSON.stringify(change)).not.toBe(base);
    }
  });

  it('does not depend on the order of keys in before and after (jsonb reorders them)', () => {
    const reordered = { ...content, after: { tags: ['a'], amount: '12.50' } };
    expect(hashAuditEntry(reordered)).toBe(hashAuditEntry(content));
  });

  it('hashes the stored form: dates become strings and undefined members vanish', () => {
    const stored = asStoredJson({ at: new Date('2026-11-24T10:00:00.000Z'), gone: undefined });
    expect(stored).toEqual({ at: '2026-11-24T10:00:00.000Z' });
    expect(asStoredJson(undefined)).toBeNull();
  });
});
