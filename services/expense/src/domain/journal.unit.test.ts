import { JournalEntry } from '@countersign/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsv, toCsv } from './csv.js';
import {
  buildJournal,
  chartWith,
  defaultChart,
  entryIdOf,
  entryTotals,
  expenseAccountFor,
  journalCsvHeader,
  journalCsvRows,
  journalEntryFor,
  type Posting,
  postingWindow,
} from './journal.js';

const amount = fc
  .tuple(fc.bigInt({ min: 0n, max: 9_999_999_999n }), fc.integer({ min: 0, max: 99 }))
  .filter(([whole, cents]) => whole > 0n || cents > 0)
  .map(([whole, cents]) => `${whole}.${String(cents).padStart(2, '0')}`);

const posting: fc.Arbitrary<Posting> = fc.record({
  kind: fc.constantFrom('approval' as const, 'payment' as const),
  postedAt: fc.date({
    min: new Date('2020-01-01T00:00:00Z'),
    max: new Date('2030-12-31T23:59:59Z'),
    noInvalidDate: true,
  }),
  expenseId: fc.uuid(),
  submitterId: fc.uuid(),
  submitterName: fc.string({ minLength: 1, maxLength: 30 }),
  category: fc.string({ maxLength: 30 }),
  description: fc.string({ maxLength: 60 }),
  amount,
  currency: fc.constantFrom('USD', 'EUR', 'JPY'),
});

const grace = {
  expenseId: '0197a000-0000-7000-8000-0000000000e1',
  submitterId: '0197a000-0000-7000-8000-000000000107',
  submitterName: 'Grace Taylor',
  category: 'Office Supplies',
  description: 'Desk, "standing"',
  amount: '1234.50',
  currency: 'USD',
};

describe('a journal entry', () => {
  it('of an approval: the expense account debited, the employee’s payable credited', () => {
    const entry = journalEntryFor(
      { ...grace, kind: 'approval', postedAt: new Date('2026-03-02T10:00:00Z') },
      defaultChart,
    );
    expect(entry).toEqual({
      entry_id: `${grace.expenseId}/approval`,
      kind: 'approval',
      expense_id: grace.expenseId,
      posted_at: '2026-03-02T10:00:00.000Z',
      currency: 'USD',
      memo: 'Approved: Desk, "standing"',
      lines: [
        {
          account: '6000-office-supplies',
          account_name: 'Expenses: Office Supplies',
          debit: '1234.50',
          credit: '0.00',
          party_id: null,
          party_name: null,
        },
        {
          account: '2100',
          account_name: 'Employee payables',
          debit: '0.00',
          credit: '1234.50',
          party_id: grace.submitterId,
          party_name: 'Grace Taylor',
        },
      ],
    });
  });

  it('of a payment: the payable settled from the bank', () => {
    const entry = journalEntryFor(
      { ...grace, kind: 'payment', postedAt: new Date('2026-03-09T10:00:00Z') },
      defaultChart,
    );
    expect(entry.entry_id).toBe(`${grace.expenseId}/payment`);
    expect(entry.memo).toBe('Paid: Desk, "standing"');
    expect(entry.lines.map((l) => [l.account, l.debit, l.credit, l.party_name])).toEqual([
      ['2100', '1234.50', '0.00', 'Grace Taylor'],
      ['1000', '0.00', '1234.50', null],
    ]);
  });

  it('uses a configured account for a category, whatever its case', () => {
    const chart = chartWith({ Travel: '6100' });
    expect(expenseAccountFor(chart, 'travel')).toEqual({ code: '6100', name: 'Expenses: Travel' });
    expect(expenseAccountFor(chart, 'Équipement IT').code).toBe('6000-equipement-it');
    expect(expenseAccountFor(chart, '***').code).toBe('6000-uncategorized');
  });

  it('treats categories named like object internals as plain names', () => {
    for (const category of ['__proto__', 'constructor', 'toString']) {
      expect(expenseAccountFor(defaultChart, category)).toEqual({
        code: `6000-${category
          .toLowerCase()
          .replace(/_/g, '-')
          .replace(/^-+|-+$/g, '')}`,
        name: `Expenses: ${category}`,
      });
    }
    const chart = chartWith(JSON.parse('{"__proto__": "6900"}') as Record<string, string>);
    expect(expenseAccountFor(chart, '__proto__').code).toBe('6900');
  });

  it('always balances, to the cent, and fits the public contract', () => {
    fc.assert(
      fc.property(posting, (p) => {
        const entry = journalEntryFor(p, defaultChart);
        const totals = entryTotals(entry);
        expect(totals.debit).toBe(totals.credit);
        expect(totals.debit).toBe(p.amount);
        // Each line is on exactly one side.
        for (const line of entry.lines) expect([line.debit, line.credit]).toContain('0.00');
        expect(JournalEntry.safeParse(entry).success).toBe(true);
      }),
    );
  });
});

describe('a journal', () => {
  it('is the same, in the same order, however its postings arrive', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(posting, { selector: (p) => `${p.expenseId}/${p.kind}`, maxLength: 20 }),
        fc.context(),
        (postings, ctx) => {
          const once = buildJournal(postings, defaultChart);
          const shuffled = [...postings].reverse();
          ctx.log(String(shuffled.length));
          expect(buildJournal(shuffled, defaultChart)).toEqual(once);
          const ids = once.map((e) => e.entry_id);
          expect(new Set(ids).size).toBe(ids.length);
          for (let i = 1; i < once.length; i++) {
            const [a, b] = [once[i - 1], once[i]];
            if (!a || !b) continue;
            expect(a.posted_at <= b.posted_at).toBe(true);
          }
        },
      ),
    );
  });

  it('puts an expense’s approval before its payment at the same instant', () => {
    const at = new Date('2026-03-02T10:00:00Z');
    const journal = buildJournal(
      [
        { ...grace, kind: 'payment', postedAt: at },
        { ...grace, kind: 'approval', postedAt: at },
      ],
      defaultChart,
    );
    expect(journal.map((e) => e.kind)).toEqual(['approval', 'payment']);
    expect(entryIdOf(grace.expenseId, 'approval')).toBe(journal[0]?.entry_id);
  });

  it('as CSV: one row per line under a header, read back field for field', () => {
    fc.assert(
      fc.property(fc.array(posting, { maxLength: 8 }), (postings) => {
        const journal = buildJournal(postings, defaultChart);
        const rows = journalCsvRows(journal);
        expect(rows).toHaveLength(journal.length * 2);
        const parsed = parseCsv(toCsv(journalCsvHeader, rows));
        expect(parsed[0]).toEqual([...journalCsvHeader]);
        expect(parsed).toHaveLength(rows.length + 1);
        // Amounts, ids and accounts come back unchanged (text may gain a formula guard).
        parsed.slice(1).forEach((record, index) => {
          const row = rows[index] ?? [];
          for (const column of [0, 1, 2, 3, 4, 5, 7, 8, 9, 10]) {
            expect(record[column]).toBe(row[column]);
          }
        });
      }),
    );
  });
});

describe('the posting window', () => {
  it('takes both days whole: from midnight UTC to the midnight after `to`', () => {
    expect(postingWindow('2026-03-01', '2026-03-31')).toEqual({
      fromInstant: new Date('2026-03-01T00:00:00Z'),
      toInstant: new Date('2026-04-01T00:00:00Z'),
    });
    expect(postingWindow()).toEqual({ fromInstant: undefined, toInstant: undefined });
  });
});
