import { z } from 'zod';
import { DecimalString, IsoDateTime, Uuid } from '../common.js';
import { ExpenseStatus } from './expenses.js';
import { IsoDate } from './money.js';

/** `from` must not come after `to`, when both are given. */
function rangeInOrder(query: { from?: string | undefined; to?: string | undefined }): boolean {
  return query.from === undefined || query.to === undefined || query.from <= query.to;
}
const rangeOrder = { message: '`from` must not be after `to`', path: ['from'] };

/**
 * Narrows every report: by the expense's spend date (both ends inclusive, calendar days),
 * by the submitter's current team and by workspace. Absent filters do not narrow.
 */
export const ReportQuery = z
  .object({
    from: IsoDate.optional().meta({ description: 'First spend date included' }),
    to: IsoDate.optional().meta({ description: 'Last spend date included' }),
    team_id: Uuid.optional().meta({ description: "The submitter's (current) team" }),
    workspace_id: Uuid.optional(),
  })
  .refine(rangeInOrder, rangeOrder);
export type ReportQuery = z.infer<typeof ReportQuery>;

/** Months from `from`'s to `to`'s, both counted. */
function monthsSpanned(from: string, to: string): number {
  const months = (date: string) => Number(date.slice(0, 4)) * 12 + Number(date.slice(5, 7));
  return months(to) - months(from) + 1;
}

/**
 * The most months one trends answer lists (every month is a row, empty ones included). An
 * open end is filled from the data, never further than this from the other end.
 */
export const MAX_TREND_MONTHS = 24;
/** `from` may reach back this many years before the current month, no further. */
export const TREND_YEARS_BACK = 10;
/** `to` may reach this many months past the current one (spend booked ahead), no further. */
export const TREND_MONTHS_AHEAD = 1;

export const TrendsQuery = ReportQuery.refine(
  (query) =>
    query.from === undefined ||
    query.to === undefined ||
    monthsSpanned(query.from, query.to) <= MAX_TREND_MONTHS,
  { message: `a trend covers at most ${MAX_TREND_MONTHS} months`, path: ['to'] },
);
export type TrendsQuery = z.infer<typeof TrendsQuery>;

export const RecentExpensesQuery = z
  .object({
    from: IsoDate.optional(),
    to: IsoDate.optional(),
    team_id: Uuid.optional(),
    workspace_id: Uuid.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(10),
  })
  .refine(rangeInOrder, rangeOrder);
export type RecentExpensesQuery = z.infer<typeof RecentExpensesQuery>;

/** What a report was narrowed by, echoed back so a saved answer says what it covers. */
const ReportFilters = z.object({
  from: IsoDate.nullable(),
  to: IsoDate.nullable(),
  team_id: Uuid.nullable(),
  workspace_id: Uuid.nullable(),
});

const CountAndAmount = {
  count: z.number().int().min(0),
  amount: DecimalString.meta({ description: 'Exact, in the base currency' }),
};

export const SpendingSummary = z
  .object({
    base_currency: z.string(),
    filters: ReportFilters,
    count: z.number().int().min(0),
    total_amount: DecimalString,
    approved_amount: DecimalString.meta({ description: 'Approved (and, once paid, paid) spend' }),
    pending_amount: DecimalString.meta({ description: 'Spend waiting for a decision' }),
    by_status: z.array(z.object({ status: ExpenseStatus, ...CountAndAmount })).meta({
      description: 'Every status, zero when no expense has it',
    }),
  })
  .meta({ id: 'SpendingSummary' });
export type SpendingSummary = z.infer<typeof SpendingSummary>;

export const CategoryReport = z
  .object({
    base_currency: z.string(),
    filters: ReportFilters,
    items: z.array(
      z.object({ category: z.string(), ...CountAndAmount, approved_amount: DecimalString }),
    ),
  })
  .meta({ id: 'CategoryReport', description: 'Largest amount first, then by name' });
export type CategoryReport = z.infer<typeof CategoryReport>;

export const MonthlyTrends = z
  .object({
    base_currency: z.string(),
    filters: ReportFilters,
    items: z.array(
      z.object({
        month: z.string().regex(/^\d{4}-\d{2}$/),
        ...CountAndAmount,
        approved_amount: DecimalString,
      }),
    ),
  })
  .meta({
    id: 'MonthlyTrends',
    description:
      'One row per spend month, oldest first, from the first to the last month of the range (or of the data), empty months included',
  });
export type MonthlyTrends = z.infer<typeof MonthlyTrends>;

export const RecentExpenses = z
  .object({
    base_currency: z.string(),
    filters: ReportFilters,
    items: z.array(
      z.object({
        id: Uuid,
        submitter_id: Uuid,
        submitter_name: z.string(),
        category: z.string(),
        vendor: z.string().nullable(),
        description: z.string(),
        status: ExpenseStatus,
        amount: DecimalString.meta({ description: 'In the base currency' }),
        currency: z.string(),
        original_amount: z.string(),
        spend_date: IsoDate,
        submitted_at: IsoDateTime,
        workspace_id: Uuid.nullable(),
      }),
    ),
  })
  .meta({ id: 'RecentExpenses', description: 'Most recently submitted first' });
export type RecentExpenses = z.infer<typeof RecentExpenses>;

const DurationStats = {
  count: z.number().int().min(0),
  mean_hours: z.number().nullable(),
  p50_hours: z.number().nullable(),
  p90_hours: z.number().nullable(),
};

export const ApprovalTimes = z
  .object({
    filters: ReportFilters,
    overall: z.object(DurationStats),
    by_step: z.array(z.object({ step: z.number().int().min(1), ...DurationStats })),
    by_approver: z.array(
      z.object({ approver_id: Uuid, approver_name: z.string(), ...DurationStats }),
    ),
  })
  .meta({
    id: 'ApprovalTimes',
    description:
      'Hours from a seat being asked to its approval (approved seats only; the approver is who decided, a delegate included)',
  });
export type ApprovalTimes = z.infer<typeof ApprovalTimes>;

export const JournalFormat = z.enum(['json', 'csv']);

/**
 * The journal of approvals (and payments) posted between two UTC calendar days, both
 * inclusive: `from=2026-03-01&to=2026-03-31` is every entry posted in March.
 */
export const JournalQuery = z
  .object({
    from: IsoDate.optional().meta({ description: 'First posting day included (UTC)' }),
    to: IsoDate.optional().meta({ description: 'Last posting day included (UTC)' }),
    format: JournalFormat.default('json'),
  })
  .refine(rangeInOrder, rangeOrder);
export type JournalQuery = z.infer<typeof JournalQuery>;

export const JournalLine = z.object({
  account: z.string(),
  account_name: z.string(),
  debit: DecimalString,
  credit: DecimalString,
  /** The employee a payable line is owed to. */
  party_id: Uuid.nullable(),
  party_name: z.string().nullable(),
});
export type JournalLine = z.infer<typeof JournalLine>;

export const JournalEntry = z.object({
  entry_id: z.string().meta({ description: 'Stable: the same expense and kind, the same id' }),
  kind: z.enum(['approval', 'payment']),
  expense_id: Uuid,
  posted_at: IsoDateTime,
  currency: z.string(),
  memo: z.string(),
  lines: z.array(JournalLine).min(2),
});
export type JournalEntry = z.infer<typeof JournalEntry>;

export const JournalExport = z
  .object({
    base_currency: z.string(),
    from: IsoDate.nullable(),
    to: IsoDate.nullable(),
    entries: z.array(JournalEntry),
  })
  .meta({
    id: 'JournalExport',
    description: 'Entries by posting time, then expense id, approval before payment; each balances',
  });
export type JournalExport = z.infer<typeof JournalExport>;
