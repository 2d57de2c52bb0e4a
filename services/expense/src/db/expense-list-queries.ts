import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import type {
  ExpenseListFilters,
  ExpenseVisibility,
  ListPosition,
  sortOrder,
} from '../domain/expense-list.js';
import { storedMoneyColumns, visibleExpenses } from './expense-views.js';
import type { ExpenseDatabase } from './types.js';

type Db = Kysely<ExpenseDatabase>;
type ExpenseQuery<O> = SelectQueryBuilder<ExpenseDatabase, 'expense', O>;

/** Each sort key as text that orders (and casts back) exactly: µs instants, days, decimals. */
const sortKeyText = {
  submitted_at: sql<string>`to_char(expense.submitted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`,
  spend_date: sql<string>`expense.spend_date::text`,
  amount: sql<string>`expense.amount::text`,
} as const;

const sortKeyCast = {
  submitted_at: (key: string) => sql`${key}::timestamptz`,
  spend_date: (key: string) => sql`${key}::date`,
  amount: (key: string) => sql`${key}::numeric`,
} as const;

/** The rows of one company that a list may ever show; the one place to exclude rows for all. */
/** The company's expenses the caller may list at all: never deleted ones or others' drafts. */
function companyExpenses(db: Db, companyId: string, viewerId: string) {
  return db
    .selectFrom('expense')
    .where('expense.company_id', '=', companyId)
    .where(visibleExpenses(viewerId));
}

/** Narrows to the submitters the caller may see (see `expenseVisibility`). */
function visibleTo<O>(
  query: ExpenseQuery<O>,
  companyId: string,
  visibility: ExpenseVisibility,
): ExpenseQuery<O> {
  switch (visibility.scope) {
    case 'company':
      return query;
    case 'own':
      return query.where('expense.submitter_id', '=', visibility.userId);
    case 'team':
      // The caller's team and its people come from the directory copy, in the same query.
      return query.where((eb) =>
        eb.or([
          eb('expense.submitter_id', '=', visibility.userId),
          eb(
            'expense.submitter_id',
            'in',
            eb
              .selectFrom('person as teammate')
              .select('teammate.id')
              .where('teammate.company_id', '=', companyId)
              .where('teammate.team_id', '=', (inner) =>
                inner
                  .selectFrom('person as caller')
                  .select('caller.team_id')
                  .where('caller.id', '=', visibility.userId)
                  .where('caller.company_id', '=', companyId),
              ),
          ),
        ]),
      );
  }
}

function filtered<O>(query: ExpenseQuery<O>, f: ExpenseListFilters): ExpenseQuery<O> {
  let q = query;
  if (f.statuses) q = q.where('expense.status', 'in', f.statuses);
  if (f.category) q = q.where(sql`lower(expense.category)`, '=', f.category.toLowerCase());
  if (f.vendor) q = q.where(sql`lower(expense.vendor)`, '=', f.vendor.toLowerCase());
  if (f.spendFrom) q = q.where('expense.spend_date', '>=', sql<Date>`${f.spendFrom}::date`);
  if (f.spendTo) q = q.where('expense.spend_date', '<=', sql<Date>`${f.spendTo}::date`);
  if (f.submittedFrom) q = q.where('expense.submitted_at', '>=', f.submittedFrom);
  if (f.submittedBefore) q = q.where('expense.submitted_at', '<', f.submittedBefore);
  // Compared as numeric, exactly: the bound is a decimal string, never a float.
  if (f.amountMin) q = q.where('expense.amount', '>=', sql<string>`${f.amountMin}::numeric`);
  if (f.amountMax) q = q.where('expense.amount', '<=', sql<string>`${f.amountMax}::numeric`);
  if (f.submitterId) q = q.where('expense.submitter_id', '=', f.submitterId);
  if (f.workspaceId) q = q.where('expense.workspace_id', '=', f.workspaceId);
  const pattern = f.textPattern;
  if (pattern)
    q = q.where((eb) =>
      eb.or([eb('expense.description', 'ilike', pattern), eb('expense.vendor', 'ilike', pattern)]),
    );
  return q;
}

/**
 * One page of the expenses the caller may see, filtered, in a keyset order (the sort key,
 * then id, both the same direction), `limit` rows after `after`. One statement.
 */
export async function listExpensePage(
  db: Db,
  companyId: string,
  viewerId: string,
  visibility: ExpenseVisibility,
  filters: ExpenseListFilters,
  order: ReturnType<typeof sortOrder>,
  limit: number,
  after: ListPosition | undefined,
) {
  let query = filtered(
    visibleTo(companyExpenses(db, companyId, viewerId), companyId, visibility),
    filters,
  );
  if (after) {
    const comparison = order.direction === 'desc' ? sql.raw('<') : sql.raw('>');
    query = query.where(
      sql<boolean>`(${sql.ref(`expense.${order.key}`)}, expense.id) ${comparison} (${sortKeyCast[order.key](after.key)}, ${after.id}::uuid)`,
    );
  }
  return query
    .select([
      'expense.id',
      'expense.amount',
      'expense.description',
      'expense.status',
      'expense.policy_name',
      'expense.submitted_at',
      'expense.completed_at',
      'expense.workspace_id',
      'expense.category',
      'expense.vendor',
      sql<string>`expense.spend_date::text`.as('spend_date'),
      'expense.source',
      'expense.submitter_id',
      'expense.submitter_name',
      ...storedMoneyColumns,
      sortKeyText[order.key].as('sort_key'),
    ])
    .orderBy(`expense.${order.key}`, order.direction)
    .orderBy('expense.id', order.direction)
    .limit(limit)
    .execute();
}
