import { type ExpenseStatus, MAX_TREND_MONTHS } from '@countersign/contracts';
import { type Expression, type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { ExpenseDatabase } from './types.js';

type Db = Kysely<ExpenseDatabase>;

/** What every report is narrowed by; spend dates both inclusive, `YYYY-MM-DD`. */
export interface ReportFilter {
  companyId: string;
  from?: string | undefined;
  to?: string | undefined;
  teamId?: string | undefined;
  workspaceId?: string | undefined;
}

/** Statuses whose spend is approved: the company owes (or, once paid, has paid) it. */
export const APPROVED_STATUSES: readonly ExpenseStatus[] = ['approved', 'paid'];
/** Statuses whose spend still waits for a decision. */
export const PENDING_STATUSES: readonly ExpenseStatus[] = ['pending'];

/**
 * The one condition every report and the journal put on an expense besides the filters:
 * whether it counts at all: not a draft (nothing was spent yet) and not soft-deleted.
 */
export function countedInReports(): Expression<SqlBool> {
  return sql<SqlBool>`(expense.deleted_at is null and expense.status <> 'draft')`;
}

/** An exact sum in the base currency, two places, "0.00" over no rows. */
function money(sum: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`round(coalesce(${sum}, 0), 2)::text`;
}

function inList(statuses: readonly string[]): RawBuilder<SqlBool> {
  return sql<SqlBool>`expense.status = any(${sql.val(statuses)}::text[])`;
}

/** The company's expenses narrowed by the filter: the FROM and WHERE of every report. */
function filteredExpenses(db: Db, f: ReportFilter) {
  let query = db
    .selectFrom('expense')
    .where('expense.company_id', '=', f.companyId)
    .where(countedInReports());
  if (f.from) query = query.where(sql<SqlBool>`expense.spend_date >= ${f.from}::date`);
  if (f.to) query = query.where(sql<SqlBool>`expense.spend_date <= ${f.to}::date`);
  if (f.workspaceId) query = query.where('expense.workspace_id', '=', f.workspaceId);
  const teamId = f.teamId;
  if (teamId) {
    // The submitter's team in the directory copy today, not when the expense was filed.
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('person')
          .select(sql`1`.as('one'))
          .whereRef('person.id', '=', 'expense.submitter_id')
          .where('person.company_id', '=', f.companyId)
          .where('person.team_id', '=', teamId),
      ),
    );
  }
  return query;
}

export interface StatusTotal {
  status: ExpenseStatus;
  count: number;
  amount: string;
}

/** Totals overall, approved, pending and per status (every status, zeros included). */
export async function sumSpending(db: Db, f: ReportFilter, statuses: readonly ExpenseStatus[]) {
  const perStatus = statuses.map(
    (s) =>
      sql`json_build_object('status', ${s}::text, 'count', count(*) filter (where expense.status = ${s}), 'amount', ${money(sql`sum(expense.amount) filter (where expense.status = ${s})`)})`,
  );
  return filteredExpenses(db, f)
    .select([
      sql<number>`count(*)::int`.as('count'),
      money(sql`sum(expense.amount)`).as('total_amount'),
      money(sql`sum(expense.amount) filter (where ${inList(APPROVED_STATUSES)})`).as(
        'approved_amount',
      ),
      money(sql`sum(expense.amount) filter (where ${inList(PENDING_STATUSES)})`).as(
        'pending_amount',
      ),
      sql<StatusTotal[]>`json_build_array(${sql.join(perStatus)})`.as('by_status'),
    ])
    .executeTakeFirstOrThrow();
}

/** Per category: count, amount and approved amount; largest amount first, then by name. */
export async function sumByCategory(db: Db, f: ReportFilter) {
  return filteredExpenses(db, f)
    .select([
      // Never null outside drafts (a check constraint), and reports leave drafts out.
      sql<string>`expense.category`.as('category'),
      sql<number>`count(*)::int`.as('count'),
      money(sql`sum(expense.amount)`).as('amount'),
      money(sql`sum(expense.amount) filter (where ${inList(APPROVED_STATUSES)})`).as(
        'approved_amount',
      ),
    ])
    .groupBy('expense.category')
    .orderBy(sql`sum(expense.amount)`, 'desc')
    .orderBy('expense.category')
    .execute();
}

/**
 * Per spend month, oldest first, every month from the range's first to its last (or the
 * data's within `bounds` and MAX_TREND_MONTHS of the other end, for an open end) with
 * zeros where nothing was spent.
 */
export async function sumByMonth(
  db: Db,
  f: ReportFilter,
  bounds: { earliest: string; latest: string },
) {
  // Rows outside the bounds are never read; an open end of the filter is the bound's.
  const within = { ...f, from: f.from ?? bounds.earliest, to: f.to ?? bounds.latest };
  const span = sql.lit(`${MAX_TREND_MONTHS - 1} months`);
  const from = sql`date_trunc('month', ${f.from ?? null}::date)::date`;
  const to = sql`date_trunc('month', ${f.to ?? null}::date)::date`;
  return db
    .with('filtered', () =>
      filteredExpenses(db, within).select([
        'expense.amount',
        'expense.status',
        sql<Date>`date_trunc('month', expense.spend_date)::date`.as('month'),
      ]),
    )
    .with('upper', (qb) =>
      qb.selectFrom('filtered').select(
        // An open `to` is the data's last month, at most MAX_TREND_MONTHS after `from`.
        sql`coalesce(${to}, least(max(month), (${from} + ${span}::interval)::date))`.as('hi'),
      ),
    )
    .with('bounds', (qb) =>
      qb.selectFrom('upper').select([
        // An open `from` is the data's first month, at most MAX_TREND_MONTHS before `hi`.
        sql`coalesce(${from}, greatest((select min(month) from filtered), (hi - ${span}::interval)::date))`.as(
          'lo',
        ),
        'hi',
      ]),
    )
    .with('months', (qb) =>
      qb
        .selectFrom('bounds')
        .select(sql<Date>`generate_series(lo, hi, interval '1 month')::date`.as('month')),
    )
    .selectFrom('months')
    .leftJoin('filtered', 'filtered.month', 'months.month')
    .select([
      sql<string>`to_char(months.month, 'YYYY-MM')`.as('month'),
      sql<number>`count(filtered.month)::int`.as('count'),
      money(sql`sum(filtered.amount)`).as('amount'),
      money(
        sql`sum(filtered.amount) filter (where filtered.status = any(${sql.val(APPROVED_STATUSES)}::text[]))`,
      ).as('approved_amount'),
    ])
    .groupBy('months.month')
    .orderBy('months.month')
    .execute();
}

/** The latest submitted expenses, newest first. */
export async function listRecent(db: Db, f: ReportFilter, limit: number) {
  return filteredExpenses(db, f)
    .select([
      'expense.id',
      'expense.submitter_id',
      'expense.submitter_name',
      // Never null outside drafts (a check constraint), and reports leave drafts out.
      sql<string>`expense.category`.as('category'),
      'expense.vendor',
      'expense.description',
      'expense.status',
      sql<string>`expense.amount::text`.as('amount'),
      'expense.currency',
      sql<string>`expense.original_amount::text`.as('original_amount'),
      sql<string>`expense.spend_date::text`.as('spend_date'),
      'expense.submitted_at',
      'expense.workspace_id',
    ])
    .orderBy('expense.submitted_at', 'desc')
    .orderBy('expense.id', 'desc')
    .limit(limit)
    .execute();
}

export interface DurationRow {
  /** 1 for the rows that add up over every step (grouping sets). */
  all_steps: number;
  all_approvers: number;
  step: number | null;
  approver_id: string | null;
  approver_name: string | null;
  count: number;
  mean_hours: number | null;
  p50_hours: number | null;
  p90_hours: number | null;
}

/**
 * Hours from each approved seat's request to its approval, overall, per step and per
 * approver (who decided: the delegate when one did), in one pass with grouping sets.
 * Seats never asked in this read model (stored before requests were kept) are left out.
 */
export async function approvalDurations(db: Db, f: ReportFilter): Promise<DurationRow[]> {
  const hours = sql`greatest(extract(epoch from (expense_step.decided_at - expense_step.requested_at)), 0)::float8 / 3600`;
  const decider = sql`coalesce(expense_step.decided_by, expense_step.approver_id)`;
  const rounded = (value: RawBuilder<unknown>) =>
    sql<number | null>`round((${value})::numeric, 2)::float8`;
  return filteredExpenses(db, f)
    .innerJoin('expense_step', 'expense_step.expense_id', 'expense.id')
    .leftJoin('person as decider', (join) =>
      join
        .on('decider.id', '=', sql<string>`${decider}`)
        .on('decider.company_id', '=', f.companyId),
    )
    .where('expense_step.status', '=', 'approved')
    .where('expense_step.requested_at', 'is not', null)
    .where('expense_step.decided_at', 'is not', null)
    .select([
      sql<number>`grouping(expense_step.step)`.as('all_steps'),
      sql<number>`grouping(${decider})`.as('all_approvers'),
      sql<number | null>`expense_step.step`.as('step'),
      sql<string | null>`${decider}`.as('approver_id'),
      // The directory's name now; the seat's stored name when the directory lacks them.
      sql<string | null>`max(coalesce(decider.name, expense_step.approver_name))`.as(
        'approver_name',
      ),
      sql<number>`count(*)::int`.as('count'),
      rounded(sql`avg(${hours})`).as('mean_hours'),
      rounded(sql`percentile_cont(0.5) within group (order by ${hours})`).as('p50_hours'),
      rounded(sql`percentile_cont(0.9) within group (order by ${hours})`).as('p90_hours'),
    ])
    .groupBy(sql`grouping sets ((), (expense_step.step), (${decider}))`)
    .execute() as Promise<DurationRow[]>;
}

export interface PostingRow {
  kind: 'approval' | 'payment';
  posted_at: Date;
  id: string;
  submitter_id: string;
  submitter_name: string;
  category: string;
  description: string;
  amount: string;
  currency: string;
}

/**
 * Where each kind of journal posting comes from: the statuses that have it and the time
 * it happened. A paid expense has both its approval and its payment.
 */
export const postingSources: readonly {
  kind: PostingRow['kind'];
  statuses: readonly ExpenseStatus[];
  at: 'completed_at' | 'paid_at';
}[] = [
  { kind: 'approval', statuses: APPROVED_STATUSES, at: 'completed_at' },
  { kind: 'payment', statuses: ['paid'], at: 'paid_at' },
];

/** The postings made in `[fromInstant, toInstant)`, in journal order. */
export async function listPostings(
  db: Db,
  companyId: string,
  fromInstant: Date | undefined,
  toInstant: Date | undefined,
): Promise<PostingRow[]> {
  const [first, ...rest] = postingSources.map((source) => {
    const at = sql.ref(`expense.${source.at}`);
    let query = db
      .selectFrom('expense')
      .select([
        sql<PostingRow['kind']>`${source.kind}::text`.as('kind'),
        sql<Date>`${at}`.as('posted_at'),
        'expense.id',
        'expense.submitter_id',
        'expense.submitter_name',
        // Never null outside drafts (a check constraint), and reports leave drafts out.
        sql<string>`expense.category`.as('category'),
        'expense.description',
        sql<string>`expense.amount::text`.as('amount'),
        'expense.base_currency as currency',
      ])
      .where('expense.company_id', '=', companyId)
      .where(countedInReports())
      .where(inList(source.statuses))
      .where(sql<SqlBool>`${at} is not null`);
    if (fromInstant) query = query.where(sql<SqlBool>`${at} >= ${fromInstant}`);
    if (toInstant) query = query.where(sql<SqlBool>`${at} < ${toInstant}`);
    return query;
  });
  if (!first) return [];
  const union = rest.reduce((all, next) => all.unionAll(next), first);
  return union.orderBy('posted_at').orderBy('id').orderBy('kind').execute() as Promise<
    PostingRow[]
  >;
}
