import {
  JournalQuery,
  RecentExpensesQuery,
  ReportQuery,
  TrendsQuery,
} from '@countersign/contracts';
import {
  type createServiceApp,
  parseOrThrow,
  requireAuth,
  requirePermission,
  type TokenVerifier,
} from '@countersign/platform';
import type { Kysely } from 'kysely';
import type { ExpenseDatabase } from '../db/types.js';
import type { ChartOfAccounts } from '../domain/journal.js';
import { exportJournal } from '../use-cases/export-journal.js';
import { getApprovalTimes } from '../use-cases/get-approval-times.js';
import { getCategoryReport } from '../use-cases/get-category-report.js';
import { getMonthlyTrends } from '../use-cases/get-monthly-trends.js';
import { getSpendingSummary } from '../use-cases/get-spending-summary.js';
import { listRecentExpenses } from '../use-cases/list-recent-expenses.js';

export interface ReportHttpDeps {
  db: Kysely<ExpenseDatabase>;
  verifyToken: TokenVerifier;
  chart: ChartOfAccounts;
}

/** Company-wide spending reports and the accounting journal (finance, admins, auditors). */
export function mountReportRoutes(
  app: ReturnType<typeof createServiceApp>,
  deps: ReportHttpDeps,
): void {
  for (const path of ['/reports/*', '/exports/*']) {
    app.use(path, requireAuth(deps.verifyToken), requirePermission('reports.read'));
  }

  app.get('/reports/summary', async (c) => {
    const query = parseOrThrow(ReportQuery, c.req.query());
    return c.json(await getSpendingSummary(deps.db, c.var.caller, query));
  });

  app.get('/reports/categories', async (c) => {
    const query = parseOrThrow(ReportQuery, c.req.query());
    return c.json(await getCategoryReport(deps.db, c.var.caller, query));
  });

  app.get('/reports/trends', async (c) => {
    const query = parseOrThrow(TrendsQuery, c.req.query());
    return c.json(await getMonthlyTrends(deps.db, c.var.caller, query));
  });

  app.get('/reports/recent', async (c) => {
    const query = parseOrThrow(RecentExpensesQuery, c.req.query());
    return c.json(await listRecentExpenses(deps.db, c.var.caller, query));
  });

  app.get('/reports/approval-times', async (c) => {
    const query = parseOrThrow(ReportQuery, c.req.query());
    return c.json(await getApprovalTimes(deps.db, c.var.caller, query));
  });

  app.get('/exports/journal', async (c) => {
    const query = parseOrThrow(JournalQuery, c.req.query());
    const journal = await exportJournal(deps, c.var.caller, query);
    if (journal.format === 'json') return c.json(journal.body);
    return c.body(journal.body, 200, { 'content-type': 'text/csv; charset=utf-8; header=present' });
  });
}
