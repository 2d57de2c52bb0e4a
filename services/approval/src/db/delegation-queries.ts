import { type Kysely, sql, type Transaction } from 'kysely';
import type { DelegationTerms, ExpenseScope } from '../domain/delegation.js';
import type { ApprovalDatabase } from './types.js';

type Db = Kysely<ApprovalDatabase>;
type Trx = Transaction<ApprovalDatabase>;

export interface DelegationRow {
  id: string;
  delegator_id: string;
  delegator_name: string;
  delegate_id: string;
  delegate_name: string;
  starts_on: string;
  ends_on: string;
  max_amount: string | null;
  categories: string[] | null;
  created_at: Date;
  revoked_at: Date | null;
}

function delegationsQuery(db: Db, companyId: string) {
  return db
    .selectFrom('delegation')
    .innerJoin('person as delegator', 'delegator.id', 'delegation.delegator_id')
    .innerJoin('person as delegate', 'delegate.id', 'delegation.delegate_id')
    .select([
      'delegation.id',
      'delegation.delegator_id',
      'delegator.name as delegator_name',
      'delegation.delegate_id',
      'delegate.name as delegate_name',
      // A pg `date` would come back as a local-time Date: read the day as text.
      sql<string>`to_char(delegation.starts_on, 'YYYY-MM-DD')`.as('starts_on'),
      sql<string>`to_char(delegation.ends_on, 'YYYY-MM-DD')`.as('ends_on'),
      'delegation.max_amount',
      'delegation.categories',
      'delegation.created_at',
      'delegation.revoked_at',
    ])
    .where('delegation.company_id', '=', companyId)
    .orderBy('delegation.starts_on', 'desc')
    .orderBy('delegation.id', 'desc');
}

export function toTerms(row: DelegationRow): DelegationTerms {
  return {
    id: row.id,
    delegatorId: row.delegator_id,
    delegateId: row.delegate_id,
    startsOn: row.starts_on,
    endsOn: row.ends_on,
    maxAmount: row.max_amount,
    categories: row.categories,
    revokedAt: row.revoked_at,
  };
}

export async function listDelegationsOf(
  db: Db,
  companyId: string,
  personId: string,
): Promise<DelegationRow[]> {
  return delegationsQuery(db, companyId)
    .where((eb) =>
      eb.or([
        eb('delegation.delegator_id', '=', personId),
        eb('delegation.delegate_id', '=', personId),
      ]),
    )
    .limit(500)
    .execute();
}

export async function listCompanyDelegations(db: Db, companyId: string): Promise<DelegationRow[]> {
  return delegationsQuery(db, companyId).limit(500).execute();
}

export async function findDelegation(
  db: Db,
  companyId: string,
  id: string,
): Promise<DelegationRow | undefined> {
  return delegationsQuery(db, companyId).where('delegation.id', '=', id).executeTakeFirst();
}

/** The delegator's delegations not revoked, locked: two racing creations see each other. */
export async function lockLiveDelegationsBy(trx: Trx, companyId: string, delegatorId: string) {
  // The delegator's person row serialises their delegations (no row to lock when there are none).
  await trx
    .selectFrom('person')
    .select('id')
    .where('id', '=', delegatorId)
    .where('company_id', '=', companyId)
    .forUpdate()
    .execute();
  return delegationsQuery(trx, companyId)
    .where('delegation.delegator_id', '=', delegatorId)
    .where('delegation.revoked_at', 'is', null)
    .execute();
}

export async function insertDelegation(
  trx: Trx,
  row: {
    id: string;
    company_id: string;
    delegator_id: string;
    delegate_id: string;
    starts_on: string;
    ends_on: string;
    max_amount: string | null;
    categories: string[] | null;
    created_at: Date;
  },
): Promise<void> {
  await trx
    .insertInto('delegation')
    .values({ ...row, revoked_at: null, revoked_by: null })
    .execute();
}

/** Revokes once: returns false when it was already revoked (or is not the company's). */
export async function revokeDelegation(
  trx: Trx,
  companyId: string,
  id: string,
  by: string,
  at: Date,
): Promise<boolean> {
  const result = await trx
    .updateTable('delegation')
    .set({ revoked_at: at, revoked_by: by })
    .where('id', '=', id)
    .where('company_id', '=', companyId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Delegations the caller received from any of `delegatorIds` (any state: the rule decides). */
export async function listDelegationsBetween(
  trx: Trx,
  companyId: string,
  delegatorIds: readonly string[],
  delegateId: string,
): Promise<DelegationRow[]> {
  if (delegatorIds.length === 0) return [];
  return delegationsQuery(trx, companyId)
    .where('delegation.delegator_id', 'in', delegatorIds)
    .where('delegation.delegate_id', '=', delegateId)
    .where('delegation.revoked_at', 'is', null)
    .execute();
}

/**
 * What a delegation's limits are checked against: the chain's amount and the category it
 * was routed with (its policy's, for chains older than that column), not the policy's
 * category now, which an edit may have changed.
 */
export async function findExpenseScope(
  trx: Trx,
  expenseId: string,
): Promise<Pick<ExpenseScope, 'category'>> {
  const row = await trx
    .selectFrom('chain')
    .leftJoin('policy', 'policy.id', 'chain.policy_id')
    .select(sql<string>`coalesce(chain.category, policy.category)`.as('category'))
    .where('chain.expense_id', '=', expenseId)
    .executeTakeFirst();
  return { category: row?.category ?? '' };
}

/** Records the delegate who decided a step in its approver's name. */
export async function markDecidedBy(
  trx: Trx,
  expenseId: string,
  step: number,
  decidedBy: string,
): Promise<void> {
  await trx
    .updateTable('chain_step')
    .set({ decided_by: decidedBy })
    .where('expense_id', '=', expenseId)
    .where('step', '=', step)
    .execute();
}
