import { reportRoutes } from '@countersign/contracts';
import type { ServeRoute } from '@countersign/platform';
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
  chart: ChartOfAccounts;
  now: () => Date;
}

/** Company-wide spending reports and the accounting journal (finance, admins, auditors). */
export function mountReportRoutes(serve: ServeRoute, deps: ReportHttpDeps): void {
  serve(reportRoutes.summary, async (c, { query }) =>
    c.json(await getSpendingSummary(deps.db, c.var.caller, query)),
  );

  serve(reportRoutes.categories, async (c, { query }) =>
    c.json(await getCategoryReport(deps.db, c.var.caller, query)),
  );

  serve(reportRoutes.trends, async (c, { query }) =>
    c.json(await getMonthlyTrends(deps.db, c.var.caller, query, deps.now())),
  );

  serve(reportRoutes.recent, async (c, { query }) =>
    c.json(await listRecentExpenses(deps.db, c.var.caller, query)),
  );

  serve(reportRoutes.approvalTimes, async (c, { query }) =>
    c.json(await getApprovalTimes(deps.db, c.var.caller, query)),
  );

  serve(reportRoutes.journal, async (c, { query }) => {
    const journal = await exportJournal(deps, c.var.caller, query);
    if (journal.format === 'json') return c.json(journal.body);
    return c.body(journal.body, 200, { 'content-type': 'text/csv; charset=utf-8; header=present' });
  });
}
