import { createHash } from 'node:crypto';
import type {
  ExpenseListQuery,
  ExpenseListSort,
  ExpenseStatus,
  Role,
} from '@countersign/contracts';

/**
 * Whose expenses a caller may list. Company-wide readers see everyone's; a manager sees
 * their own and those of the people of their team (as the directory copy has it now);
 * anyone else sees their own. Workspace membership does not widen this list: the
 * workspace's own list (`/workspaces/{id}/expenses`) is where members read each other's.
 */
export type ExpenseVisibility =
  | { scope: 'company' }
  | { scope: 'team'; userId: string }
  | { scope: 'own'; userId: string };

export function expenseVisibility(caller: { sub: string; role: Role }): ExpenseVisibility {
  switch (caller.role) {
    case 'admin':
    case 'finance':
    case 'auditor':
      return { scope: 'company' };
    case 'manager':
      return { scope: 'team', userId: caller.sub };
    case 'employee':
      return { scope: 'own', userId: caller.sub };
  }
}

/** The list's filters as the query applies them: exact strings and half-open instants. */
export interface ExpenseListFilters {
  statuses?: ExpenseStatus[];
  category?: string;
  vendor?: string;
  /** Inclusive `YYYY-MM-DD` bounds of the spend date. */
  spendFrom?: string;
  spendTo?: string;
  /** `submitted_at >= submittedFrom and submitted_at < submittedBefore`. */
  submittedFrom?: Date;
  submittedBefore?: Date;
  /** Inclusive base-amount bounds, decimal strings. */
  amountMin?: string;
  amountMax?: string;
  submitterId?: string;
  workspaceId?: string;
  /** An ILIKE pattern with the text's own `%`, `_` and `\` escaped. */
  textPattern?: string;
}

const dayMs = 24 * 60 * 60 * 1000;

/** The start of a UTC day. */
function startOfDay(day: string): Date {
  return new Date(`${day}T00:00:00.000Z`);
}

/** A substring pattern for ILIKE: the text's wildcards and escape character match themselves. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export function listFilters(query: Omit<ExpenseListQuery, 'limit' | 'cursor' | 'sort'>) {
  const filters: ExpenseListFilters = {
    statuses: query.status,
    category: query.category,
    vendor: query.vendor,
    spendFrom: query.spend_from,
    spendTo: query.spend_to,
    submittedFrom: query.submitted_from ? startOfDay(query.submitted_from) : undefined,
    submittedBefore: query.submitted_to
      ? new Date(startOfDay(query.submitted_to).getTime() + dayMs)
      : undefined,
    amountMin: query.amount_min,
    amountMax: query.amount_max,
    submitterId: query.submitter_id,
    workspaceId: query.workspace_id,
    textPattern: query.q === undefined ? undefined : containsPattern(query.q),
  };
  return filters;
}

/** The column a sort orders by, and its direction. */
export function sortOrder(sort: ExpenseListSort): {
  key: 'submitted_at' | 'spend_date' | 'amount';
  direction: 'asc' | 'desc';
} {
  return sort.startsWith('-')
    ? { key: sort.slice(1) as 'submitted_at' | 'spend_date' | 'amount', direction: 'desc' }
    : { key: sort as 'submitted_at' | 'spend_date' | 'amount', direction: 'asc' };
}

/**
 * A short digest of the sort and filters a page was asked with. A cursor carries it, so a
 * cursor used with other filters or another order is refused instead of paging through a
 * different list from a position that means nothing there.
 */
export function querySignature(query: Omit<ExpenseListQuery, 'limit' | 'cursor'>): string {
  const canonical = Object.entries(query)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]): [string, unknown] => [
      name,
      Array.isArray(value) ? [...value].sort() : value,
    ])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(canonical)).digest('base64url').slice(0, 16);
}

/** What a cursor holds: where the last page ended, for this query only. */
export interface ListPosition {
  /** The query signature the cursor was issued for. */
  signature: string;
  /** The last row's sort key as text: an ISO instant (µs), a day, or a decimal. */
  key: string;
  id: string;
}

const keyFormats: Record<ReturnType<typeof sortOrder>['key'], RegExp> = {
  submitted_at: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/,
  spend_date: /^\d{4}-\d{2}-\d{2}$/,
  amount: /^\d{1,10}\.\d{2}$/,
};
const uuidFormat = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeListCursor(position: ListPosition): string {
  return Buffer.from(
    JSON.stringify({ s: position.signature, k: position.key, i: position.id }),
  ).toString('base64url');
}

/**
 * The position in a cursor, or why it cannot be used: not one this API issued (`malformed`),
 * or issued for other filters or another order (`other-query`).
 */
export function decodeListCursor(
  cursor: string,
  expected: { signature: string; sort: ExpenseListSort },
): ListPosition | 'malformed' | 'other-query' {
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return 'malformed';
  }
  if (typeof decoded !== 'object' || decoded === null) return 'malformed';
  const { s, k, i } = decoded as Record<string, unknown>;
  if (typeof s !== 'string' || typeof k !== 'string' || typeof i !== 'string') return 'malformed';
  if (s !== expected.signature) return 'other-query';
  if (!uuidFormat.test(i) || !keyFormats[sortOrder(expected.sort).key].test(k)) return 'malformed';
  return { signature: s, key: k, id: i };
}
