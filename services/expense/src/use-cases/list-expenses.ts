import type { AccessClaims, ExpenseListQuery, ExpensePage } from '@countersign/contracts';
import { ValidationError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { listExpensePage } from '../db/expense-list-queries.js';
import type { ExpenseDatabase } from '../db/types.js';
import {
  decodeListCursor,
  encodeListCursor,
  expenseVisibility,
  listFilters,
  querySignature,
  sortOrder,
} from '../domain/expense-list.js';
import { toExpenseSummary } from '../domain/expense-summary.js';

const cursorProblems = {
  malformed: 'cursor is not one this API issued',
  'other-query':
    'cursor belongs to a list with other filters or another sort; start again without it',
} as const;

/**
 * The expenses the caller may see (company-wide readers: all of the company's; managers:
 * their own and their team's; others: their own), filtered and in a stable keyset order.
 */
export async function listExpenses(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
  query: ExpenseListQuery,
): Promise<ExpensePage> {
  const { limit, cursor, ...asked } = query;
  const { sort, ...filters } = asked;
  const signature = querySignature(asked);
  const after = cursor === undefined ? undefined : decodeListCursor(cursor, { signature, sort });
  if (typeof after === 'string')
    throw new ValidationError([{ path: 'cursor', message: cursorProblems[after] }]);
  const order = sortOrder(sort);
  const rows = await listExpensePage(
    db,
    caller.company_id,
    caller.sub,
    expenseVisibility(caller),
    listFilters(filters),
    order,
    limit + 1,
    after,
  );
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map((row) => ({
      ...toExpenseSummary(row),
      category: row.category,
      vendor: row.vendor,
      spend_date: row.spend_date,
      source: row.source,
      submitter_id: row.submitter_id,
      submitter_name: row.submitter_name,
    })),
    next_cursor:
      rows.length > limit && last
        ? encodeListCursor({ signature, key: last.sort_key, id: last.id })
        : null,
  };
}
