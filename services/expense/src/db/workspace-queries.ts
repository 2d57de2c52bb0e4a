import type { WorkspaceRole } from '@countersign/contracts';
import { type Kysely, sql, type Transaction } from 'kysely';
import { storedMoneyColumns, visibleExpenses } from './expense-views.js';
import type {
  ExpenseDatabase,
  ExpenseTable,
  WorkspaceMemberTable,
  WorkspaceTable,
} from './types.js';

type Db = Kysely<ExpenseDatabase>;
type Trx = Transaction<ExpenseDatabase>;

/** Inserts a workspace; false when the company already has one of that name. */
export async function insertWorkspace(trx: Trx, workspace: WorkspaceTable): Promise<boolean> {
  const inserted = await trx
    .insertInto('workspace')
    .values(workspace)
    .onConflict((oc) => oc.columns(['company_id', 'name']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** Adds a member; false when they already are one. */
export async function insertMember(trx: Trx, member: WorkspaceMemberTable): Promise<boolean> {
  const inserted = await trx
    .insertInto('workspace_member')
    .values(member)
    .onConflict((oc) => oc.columns(['workspace_id', 'user_id']).doNothing())
    .returning('user_id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** The company's workspace with the caller's role in it (null: not a member). */
export async function findWorkspaceFor(
  db: Db | Trx,
  companyId: string,
  workspaceId: string,
  userId: string,
) {
  return db
    .selectFrom('workspace')
    .leftJoin('workspace_member as mine', (join) =>
      join.onRef('mine.workspace_id', '=', 'workspace.id').on('mine.user_id', '=', userId),
    )
    .selectAll('workspace')
    .select('mine.role as my_role')
    .where('workspace.id', '=', workspaceId)
    .where('workspace.company_id', '=', companyId)
    .executeTakeFirst();
}

/**
 * Locks the company's workspace row for the rest of the transaction, so membership changes
 * to one workspace happen one at a time (two owners demoting each other cannot both win).
 * NO KEY UPDATE: it does not block the key-share locks that inserting an expense or member
 * referencing the workspace takes, so a submit holding a member row cannot deadlock with it.
 */
export async function lockWorkspace(trx: Trx, companyId: string, workspaceId: string) {
  return trx
    .selectFrom('workspace')
    .selectAll()
    .where('id', '=', workspaceId)
    .where('company_id', '=', companyId)
    .forNoKeyUpdate()
    .executeTakeFirst();
}

/** The person's role in the workspace (null: not a member); `lock` holds the row until commit. */
export async function findMemberRole(
  db: Db | Trx,
  workspaceId: string,
  userId: string,
  lock = false,
): Promise<WorkspaceRole | null> {
  let query = db
    .selectFrom('workspace_member')
    .select('role')
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId);
  if (lock) query = query.forShare();
  const row = await query.executeTakeFirst();
  return row?.role ?? null;
}

/** A workspace's members with their names from the directory copy. */
function membersWithNames(db: Db | Trx, workspaceId: string) {
  return db
    .selectFrom('workspace_member')
    .leftJoin('person', 'person.id', 'workspace_member.user_id')
    .select([
      'workspace_member.user_id',
      'person.name',
      'workspace_member.role',
      'workspace_member.added_at',
    ])
    .where('workspace_member.workspace_id', '=', workspaceId);
}

/** One member with their name from the directory copy. */
export async function findMemberDetails(db: Db | Trx, workspaceId: string, userId: string) {
  return membersWithNames(db, workspaceId)
    .where('workspace_member.user_id', '=', userId)
    .executeTakeFirst();
}

export async function countOwners(trx: Trx, workspaceId: string): Promise<number> {
  const row = await trx
    .selectFrom('workspace_member')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('workspace_id', '=', workspaceId)
    .where('role', '=', 'owner')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function setMemberRole(
  trx: Trx,
  workspaceId: string,
  userId: string,
  role: WorkspaceRole,
): Promise<void> {
  await trx
    .updateTable('workspace_member')
    .set({ role })
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .execute();
}

export async function deleteMember(trx: Trx, workspaceId: string, userId: string): Promise<void> {
  await trx
    .deleteFrom('workspace_member')
    .where('workspace_id', '=', workspaceId)
    .where('user_id', '=', userId)
    .execute();
}

/** Members with their names from the directory copy, owners first, then by name. */
export async function listMembers(db: Db, workspaceId: string) {
  return membersWithNames(db, workspaceId)
    .orderBy(sql`workspace_member.role = 'owner'`, 'desc')
    .orderBy('person.name')
    .orderBy('workspace_member.user_id')
    .execute();
}

/**
 * Workspaces of the company, newest first (ids are UUIDv7), with the caller's role in
 * each: only those the caller is a member of, or with `everyOne` all of the company's.
 */
export async function listWorkspaces(
  db: Db,
  companyId: string,
  userId: string,
  options: { everyOne: boolean; limit: number; beforeId?: string },
) {
  let query = db
    .selectFrom('workspace')
    .leftJoin('workspace_member as mine', (join) =>
      join.onRef('mine.workspace_id', '=', 'workspace.id').on('mine.user_id', '=', userId),
    )
    .selectAll('workspace')
    .select('mine.role as my_role')
    .where('workspace.company_id', '=', companyId);
  if (!options.everyOne) query = query.where('mine.user_id', 'is not', null);
  if (options.beforeId) query = query.where('workspace.id', '<', options.beforeId);
  return query.orderBy('workspace.id', 'desc').limit(options.limit).execute();
}

export async function listWorkspaceExpenses(
  db: Db,
  companyId: string,
  workspaceId: string,
  limit: number,
  before?: { submittedAt: Date; id: string },
) {
  let query = db
    .selectFrom('expense')
    .select([
      'id',
      'amount',
      'description',
      'status',
      'policy_name',
      'category',
      'submitter_id',
      'submitter_name',
      'submitted_at',
      'completed_at',
      'workspace_id',
      ...storedMoneyColumns,
    ])
    .where('company_id', '=', companyId)
    .where('workspace_id', '=', workspaceId)
    // No drafts (not filed until submitted) and nothing deleted, so routed columns are set.
    .where(visibleExpenses(null))
    .$narrowType<{ policy_name: string; category: string }>();
  if (before) {
    query = query.where(sql<boolean>`(submitted_at, id) < (${before.submittedAt}, ${before.id})`);
  }
  return query.orderBy('submitted_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export interface TotalsRow {
  status: ExpenseTable['status'] | null;
  category: string | null;
  /** 1 where the row totals every status (it is a category's or the overall total). */
  all_statuses: number;
  all_categories: number;
  count: string;
  amount: string;
}

/**
 * Counts and exact sums by status, by category and overall, in one GROUP BY over grouping
 * sets: the database adds up the amounts, no expense row is loaded. The overall row comes
 * back even for a workspace without expenses.
 */
export async function totalWorkspaceExpenses(
  db: Db,
  companyId: string,
  workspaceId: string,
): Promise<TotalsRow[]> {
  return db
    .selectFrom('expense')
    .select([
      'status',
      'category',
      sql<number>`grouping(status)`.as('all_statuses'),
      sql<number>`grouping(category)`.as('all_categories'),
      sql<string>`count(*)`.as('count'),
      sql<string>`round(coalesce(sum(amount), 0), 2)::text`.as('amount'),
    ])
    .where('company_id', '=', companyId)
    .where('workspace_id', '=', workspaceId)
    .where(visibleExpenses(null))
    .groupBy(sql`grouping sets ((status), (category), ())`)
    .execute();
}
