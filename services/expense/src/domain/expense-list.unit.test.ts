import { ExpenseListQuery, ExpenseListSort, Role } from '@countersign/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  containsPattern,
  decodeListCursor,
  encodeListCursor,
  expenseVisibility,
  listFilters,
  querySignature,
  sortOrder,
} from './expense-list.js';

const me = '0197a000-0000-7000-8000-000000000107';
const stranger = '0197a000-0000-7000-8000-000000000108';

describe('who sees whose expenses', () => {
  it('finance, admin and auditor see the whole company; managers their team; employees their own', () => {
    const scopes = Object.fromEntries(
      Role.options.map((role) => [role, expenseVisibility({ sub: me, role }).scope]),
    );
    expect(scopes).toEqual({
      employee: 'own',
      manager: 'team',
      finance: 'company',
      admin: 'company',
      auditor: 'company',
    });
  });

  it('names the caller for the own and team scopes, so the query can find them', () => {
    expect(expenseVisibility({ sub: me, role: 'employee' })).toEqual({ scope: 'own', userId: me });
    expect(expenseVisibility({ sub: me, role: 'manager' })).toEqual({ scope: 'team', userId: me });
    expect(expenseVisibility({ sub: me, role: 'auditor' })).toEqual({ scope: 'company' });
  });
});

describe('filters', () => {
  it('turns submitted days into a half-open UTC range covering the whole last day', () => {
    const filters = listFilters(
      ExpenseListQuery.parse({ submitted_from: '2026-03-01', submitted_to: '2026-03-31' }),
    );
    expect(filters.submittedFrom?.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(filters.submittedBefore?.toISOString()).toBe('2026-04-01T00:00:00.000Z');
  });

  it('escapes the text’s LIKE wildcards and escape character', () => {
    expect(containsPattern('50%_off\\')).toBe('%50\\%\\_off\\\\%');
    expect(containsPattern('dell')).toBe('%dell%');
    expect(listFilters(ExpenseListQuery.parse({ q: ' a_b ' })).textPattern).toBe('%a\\_b%');
  });

  it('orders by the sort’s column, descending with a leading minus', () => {
    expect(sortOrder('-submitted_at')).toEqual({ key: 'submitted_at', direction: 'desc' });
    expect(sortOrder('amount')).toEqual({ key: 'amount', direction: 'asc' });
    expect(sortOrder('-spend_date')).toEqual({ key: 'spend_date', direction: 'desc' });
  });
});

const sortKeys = {
  submitted_at: fc
    .date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
    .chain((date) =>
      fc
        .integer({ min: 0, max: 999 })
        .map((micro) => `${date.toISOString().slice(0, 23)}${String(micro).padStart(3, '0')}Z`),
    ),
  spend_date: fc
    .date({ min: new Date('2000-01-01'), max: new Date('2099-12-31'), noInvalidDate: true })
    .map((date) => date.toISOString().slice(0, 10)),
  amount: fc
    .tuple(fc.bigInt({ min: 0n, max: 9_999_999_999n }), fc.integer({ min: 0, max: 99 }))
    .map(([whole, cents]) => `${whole}.${String(cents).padStart(2, '0')}`),
};

/** A sort and a key of its kind. */
const sortAndKey = fc
  .constantFrom(...ExpenseListSort.options)
  .chain((sort) => sortKeys[sortOrder(sort).key].map((key) => ({ sort, key })));

/** Random filter sets, as the query string would carry them. */
const queryParams = fc.record(
  {
    status: fc.subarray(['pending', 'approved', 'rejected', 'withdrawn'], { minLength: 1 }),
    category: fc.constantFrom('travel', 'equipment'),
    q: fc.string({ minLength: 1, maxLength: 10 }).filter((s) => s.trim().length > 0),
    amount_min: fc.constantFrom('1', '10.50'),
    submitter_id: fc.constantFrom(me, stranger),
  },
  { requiredKeys: [] },
);

describe('cursors', () => {
  it('decode to the position they were made from, for the same query', () => {
    fc.assert(
      fc.property(sortAndKey, fc.uuid(), queryParams, ({ sort, key }, id, params) => {
        const query = ExpenseListQuery.parse({
          ...params,
          ...(params.status ? { status: params.status.join(',') } : {}),
          sort,
        });
        const { limit: _limit, cursor: _cursor, ...asked } = query;
        const signature = querySignature(asked);
        const cursor = encodeListCursor({ signature, key, id });
        expect(cursor.length).toBeLessThanOrEqual(200);
        expect(decodeListCursor(cursor, { signature, sort })).toEqual({ signature, key, id });
      }),
    );
  });

  it('do not depend on the order statuses were listed in', () => {
    const a = ExpenseListQuery.parse({ status: 'pending,approved' });
    const b = ExpenseListQuery.parse({ status: 'approved,pending', limit: '5' });
    const signature = ({ limit: _l, cursor: _c, ...asked }: ExpenseListQuery) =>
      querySignature(asked);
    expect(signature(a)).toBe(signature(b));
  });

  it('of another sort or other filters are refused as such', () => {
    const base = ExpenseListQuery.parse({ category: 'travel' });
    const { limit: _l, cursor: _c, ...asked } = base;
    const cursor = encodeListCursor({
      signature: querySignature(asked),
      key: '2026-03-01T10:00:00.000000Z',
      id: me,
    });
    const others = [
      { ...asked, sort: 'amount' as const },
      { ...asked, category: 'equipment' },
      { ...asked, vendor: 'Dell' },
      { sort: asked.sort },
    ];
    for (const other of others) {
      expect(decodeListCursor(cursor, { signature: querySignature(other), sort: other.sort })).toBe(
        'other-query',
      );
    }
  });

  it('that are not ours are malformed, never a crash', () => {
    const signature = querySignature({ sort: '-amount' });
    const expected = { signature, sort: '-amount' as const };
    const forged = (body: unknown) => Buffer.from(JSON.stringify(body)).toString('base64url');
    expect(decodeListCursor('not base64 json', expected)).toBe('malformed');
    expect(decodeListCursor(forged(null), expected)).toBe('malformed');
    expect(decodeListCursor(forged([1, 2]), expected)).toBe('malformed');
    // The right query, a key that is not an amount (an injection attempt, a float).
    expect(decodeListCursor(forged({ s: signature, k: '1; drop', i: me }), expected)).toBe(
      'malformed',
    );
    expect(decodeListCursor(forged({ s: signature, k: '1e3', i: me }), expected)).toBe('malformed');
    expect(decodeListCursor(forged({ s: signature, k: '10.00', i: 'x' }), expected)).toBe(
      'malformed',
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        const decoded = decodeListCursor(text, expected);
        expect(['malformed', 'other-query']).toContain(decoded);
      }),
    );
  });
});
