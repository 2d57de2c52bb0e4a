/**
 * The accounting journal: each approved expense owes its employee (debit the category's
 * expense account, credit employee payables) and each paid one settles that debt (debit
 * payables, credit the bank). Pure: the same expenses give the same entries, ids and
 * order, so exporting twice gives the same rows.
 */
import { formatMinor, toMinor } from './money.js';

/** Approval puts the cost on the books; payment settles what the company owes. */
export type PostingKind = 'approval' | 'payment';

export interface Account {
  code: string;
  name: string;
}

export interface ChartOfAccounts {
  /**
   * Expense accounts chosen per category (by lower-case name); others get `6000-<slug>`.
   * A Map, not an object: a category named `__proto__` or `constructor` is just a name.
   */
  expenseAccounts: ReadonlyMap<string, Account>;
  payables: Account;
  bank: Account;
}

export const defaultChart: ChartOfAccounts = {
  expenseAccounts: new Map(),
  payables: { code: '2100', name: 'Employee payables' },
  bank: { code: '1000', name: 'Bank' },
};

/** Category account codes from configuration (`{"travel": "6100"}`), over the default chart. */
export function chartWith(codes: Readonly<Record<string, string>>): ChartOfAccounts {
  const expenseAccounts = new Map(
    Object.entries(codes).map(([category, code]): [string, Account] => [
      category.toLowerCase(),
      { code, name: `Expenses: ${category}` },
    ]),
  );
  return { ...defaultChart, expenseAccounts };
}

/** One expense at one posting: what the journal needs of it, amounts in the base currency. */
export interface Posting {
  kind: PostingKind;
  postedAt: Date;
  expenseId: string;
  submitterId: string;
  submitterName: string;
  category: string;
  description: string;
  /** Decimal string in the base currency, two places ("123.45"). */
  amount: string;
  currency: string;
}

export interface JournalLine {
  account: string;
  account_name: string;
  debit: string;
  credit: string;
  party_id: string | null;
  party_name: string | null;
}

export interface JournalEntry {
  entry_id: string;
  kind: PostingKind;
  expense_id: string;
  posted_at: string;
  currency: string;
  memo: string;
  lines: JournalLine[];
}

const ZERO = '0.00';
const PLACES = 2;

/** `6000-<category>`, the category made safe for an account code ("Office Supplies" → office-supplies). */
export function expenseAccountFor(chart: ChartOfAccounts, category: string): Account {
  const chosen = chart.expenseAccounts.get(category.toLowerCase());
  if (chosen) return chosen;
  const slug =
    category
      .toLowerCase()
      .normalize('NFKD')
      .replace(/\p{M}/gu, '')
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '') || 'uncategorized';
  return { code: `6000-${slug}`, name: `Expenses: ${category}` };
}

/** The same expense and kind always give the same id, so a re-export can be reconciled. */
export function entryIdOf(expenseId: string, kind: PostingKind): string {
  return `${expenseId}/${kind}`;
}

function line(account: Account, debit: string, credit: string, party?: Posting): JournalLine {
  return {
    account: account.code,
    account_name: account.name,
    debit,
    credit,
    party_id: party ? party.submitterId : null,
    party_name: party ? party.submitterName : null,
  };
}

/** The balanced entry of one posting: two lines of the same amount, one each side. */
export function journalEntryFor(posting: Posting, chart: ChartOfAccounts): JournalEntry {
  const amount = formatMinor(toMinor(posting.amount, PLACES));
  const lines =
    posting.kind === 'approval'
      ? [
          line(expenseAccountFor(chart, posting.category), amount, ZERO),
          line(chart.payables, ZERO, amount, posting),
        ]
      : [line(chart.payables, amount, ZERO, posting), line(chart.bank, ZERO, amount)];
  return {
    entry_id: entryIdOf(posting.expenseId, posting.kind),
    kind: posting.kind,
    expense_id: posting.expenseId,
    posted_at: posting.postedAt.toISOString(),
    currency: posting.currency,
    memo: `${posting.kind === 'approval' ? 'Approved' : 'Paid'}: ${posting.description}`,
    lines,
  };
}

const DAY_MS = 86_400_000;

/** `from`..`to` as UTC days, both inclusive: the instants `[from 00:00Z, to + 1 day 00:00Z)`. */
export function postingWindow(
  from?: string,
  to?: string,
): { fromInstant: Date | undefined; toInstant: Date | undefined } {
  return {
    fromInstant: from ? new Date(`${from}T00:00:00Z`) : undefined,
    toInstant: to ? new Date(Date.parse(`${to}T00:00:00Z`) + DAY_MS) : undefined,
  };
}

const kindOrder: Record<PostingKind, number> = { approval: 0, payment: 1 };

/** Posting time, then expense id, then approval before payment: a total order. */
export function compareEntries(a: JournalEntry, b: JournalEntry): number {
  if (a.posted_at !== b.posted_at) return a.posted_at < b.posted_at ? -1 : 1;
  if (a.expense_id !== b.expense_id) return a.expense_id < b.expense_id ? -1 : 1;
  return kindOrder[a.kind] - kindOrder[b.kind];
}

/** The journal of these postings, in the one order every export uses. */
export function buildJournal(postings: readonly Posting[], chart: ChartOfAccounts): JournalEntry[] {
  return postings.map((p) => journalEntryFor(p, chart)).sort(compareEntries);
}

/** Sums of each side, exact: a balanced entry has equal strings. */
export function entryTotals(entry: JournalEntry): { debit: string; credit: string } {
  let debit = 0n;
  let credit = 0n;
  for (const l of entry.lines) {
    debit += toMinor(l.debit, PLACES).units;
    credit += toMinor(l.credit, PLACES).units;
  }
  return {
    debit: formatMinor({ units: debit, exponent: PLACES }),
    credit: formatMinor({ units: credit, exponent: PLACES }),
  };
}

export const journalCsvHeader = [
  'entry_id',
  'posted_at',
  'kind',
  'expense_id',
  'line',
  'account',
  'account_name',
  'debit',
  'credit',
  'currency',
  'party_id',
  'party_name',
  'memo',
] as const;

/** One CSV row per line of every entry, in journal order. */
export function journalCsvRows(entries: readonly JournalEntry[]): string[][] {
  return entries.flatMap((e) =>
    e.lines.map((l, index) => [
      e.entry_id,
      e.posted_at,
      e.kind,
      e.expense_id,
      String(index + 1),
      l.account,
      l.account_name,
      l.debit,
      l.credit,
      e.currency,
      l.party_id ?? '',
      l.party_name ?? '',
      e.memo,
    ]),
  );
}
