import {
  ApprovalTimes,
  CategoryReport,
  JournalExport,
  JournalQuery,
  MonthlyTrends,
  RecentExpenses,
  RecentExpensesQuery,
  ReportQuery,
  SpendingSummary,
  TrendsQuery,
} from '../rest/reports.js';
import { defineRoutes } from './api-route.js';

const tag = 'Reports and exports';
const filters = 'filterable by spend dates (from, to inclusive), team and workspace';

/** Spending reports and the accounting journal, owned by the expense service. */
export const reportRoutes = defineRoutes({
  summary: {
    method: 'get',
    path: '/api/reports/summary',
    service: 'expense',
    summary: `Totals by status, approved and pending spend in the base currency; ${filters}`,
    tag,
    permission: 'reports.read',
    query: ReportQuery,
    success: { status: 200, schema: SpendingSummary, description: 'The totals' },
    refusals: [400, 401, 403],
  },
  categories: {
    method: 'get',
    path: '/api/reports/categories',
    service: 'expense',
    summary: `Spend per category, largest first; ${filters}`,
    tag,
    permission: 'reports.read',
    query: ReportQuery,
    success: { status: 200, schema: CategoryReport, description: 'Per category' },
    refusals: [400, 401, 403],
  },
  trends: {
    method: 'get',
    path: '/api/reports/trends',
    service: 'expense',
    summary: `Spend per spend month, empty months included (at most 240); ${filters}`,
    tag,
    permission: 'reports.read',
    query: TrendsQuery,
    success: { status: 200, schema: MonthlyTrends, description: 'Per month' },
    refusals: [400, 401, 403],
  },
  recent: {
    method: 'get',
    path: '/api/reports/recent',
    service: 'expense',
    summary: `The company’s latest submitted expenses (limit, default 10); ${filters}`,
    tag,
    permission: 'reports.read',
    query: RecentExpensesQuery,
    success: { status: 200, schema: RecentExpenses, description: 'Newest first' },
    refusals: [400, 401, 403],
  },
  approvalTimes: {
    method: 'get',
    path: '/api/reports/approval-times',
    service: 'expense',
    summary: `Hours from request to approval (mean, p50, p90) overall, per step and per approver; ${filters}`,
    tag,
    permission: 'reports.read',
    query: ReportQuery,
    success: { status: 200, schema: ApprovalTimes, description: 'The statistics' },
    refusals: [400, 401, 403],
  },
  journal: {
    method: 'get',
    path: '/api/exports/journal',
    service: 'expense',
    summary:
      'Balanced journal entries of approvals posted from..to (UTC days, inclusive); format=csv for RFC 4180 CSV',
    tag,
    permission: 'reports.read',
    query: JournalQuery,
    success: { status: 200, schema: JournalExport, description: 'The entries (JSON by default)' },
    refusals: [400, 401, 403],
  },
});
