import type { AccessClaims, JournalExport, JournalQuery } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import { findBaseCurrency } from '../db/money-queries.js';
import { listPostings } from '../db/report-queries.js';
import type { ExpenseDatabase } from '../db/types.js';
import { toCsv } from '../domain/csv.js';
import {
  buildJournal,
  type ChartOfAccounts,
  journalCsvHeader,
  journalCsvRows,
  postingWindow,
} from '../domain/journal.js';

/** The balanced journal entries posted in the range, as JSON or RFC 4180 CSV. */
export async function exportJournal(
  deps: { db: Kysely<ExpenseDatabase>; chart: ChartOfAccounts },
  caller: AccessClaims,
  query: JournalQuery,
): Promise<{ format: 'json'; body: JournalExport } | { format: 'csv'; body: string }> {
  const { fromInstant, toInstant } = postingWindow(query.from, query.to);
  const [baseCurrency, rows] = await Promise.all([
    findBaseCurrency(deps.db, caller.company_id),
    listPostings(deps.db, caller.company_id, fromInstant, toInstant),
  ]);
  const entries = buildJournal(
    rows.map((row) => ({
      kind: row.kind,
      postedAt: row.posted_at,
      expenseId: row.id,
      submitterId: row.submitter_id,
      submitterName: row.submitter_name,
      category: row.category,
      description: row.description,
      amount: row.amount,
      currency: row.currency,
    })),
    deps.chart,
  );
  if (query.format === 'csv') {
    return { format: 'csv', body: toCsv(journalCsvHeader, journalCsvRows(entries)) };
  }
  return {
    format: 'json',
    body: { base_currency: baseCurrency, from: query.from ?? null, to: query.to ?? null, entries },
  };
}
