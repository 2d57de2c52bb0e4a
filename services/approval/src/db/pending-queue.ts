import { type ExpressionBuilder, type Kysely, sql } from 'kysely';
import type { ApprovalDatabase, ChainTable } from './types.js';

/** An approver's queue: the seats asked of them and of whoever delegates to them. */

export interface PendingRow {
  approval_id: string;
  expense_id: string;
  step: number;
  submitter_name: string;
  amount: string;
  description: string;
  policy_name: string;
  requested_at: Date;
  approver_id: string;
  approver_name: string;
}

/**
 * A delegation in force today from the step's approver to `delegateId` that covers the
 * expense, when the delegate is neither its submitter nor holds another of its steps.
 */
function delegatedToMe(
  eb: ExpressionBuilder<ApprovalDatabase & { chain: ChainTable }, 'chain_step' | 'chain'>,
  delegateId: string,
  today: string,
) {
  return eb
    .selectFrom('delegation')
    .leftJoin('policy', 'policy.id', 'chain.policy_id')
    .select('delegation.id')
    .whereRef('delegation.delegator_id', '=', 'chain_step.approver_id')
    .where('delegation.delegate_id', '=', delegateId)
    .where('delegation.revoked_at', 'is', null)
    .where(
      sql<boolean>`delegation.starts_on <= ${today}::date and ${today}::date <= delegation.ends_on`,
    )
    .where(sql<boolean>`(delegation.max_amount is null or chain.amount <= delegation.max_amount)`)
    .where(
      sql<boolean>`(delegation.categories is null or coalesce(chain.category, policy.category) = any(delegation.categories))`,
    )
    .where('chain.submitter_id', '<>', delegateId)
    .where((inner) =>
      inner.not(
        inner.exists(
          inner
            .selectFrom('chain_step as other')
            .select('other.step')
            .whereRef('other.expense_id', '=', 'chain.expense_id')
            // Holding a seat, or having decided one in someone's name: one person, one say.
            .where((who) =>
              who.or([
                who('other.approver_id', '=', delegateId),
                who('other.decided_by', '=', delegateId),
              ]),
            ),
        ),
      ),
    );
}

/** Who delegates to `delegateId` on `today` (the delegation's limits are checked per step). */
async function delegatorsOf(
  db: Kysely<ApprovalDatabase>,
  delegateId: string,
  today: string,
): Promise<string[]> {
  const rows = await db
    .selectFrom('delegation')
    .select('delegator_id')
    .distinct()
    .where('delegate_id', '=', delegateId)
    .where('revoked_at', 'is', null)
    .where(sql<boolean>`starts_on <= ${today}::date and ${today}::date <= ends_on`)
    .execute();
  return rows.map((r) => r.delegator_id).filter((id) => id !== delegateId);
}

/** The caller's queue (their seats and those delegated to them), oldest request first, keyset-paged on (requested_at, expense_id, step). */
export async function listPendingForApprover(
  db: Kysely<ApprovalDatabase>,
  companyId: string,
  approverId: string,
  limit: number,
  today: string,
  after?: { requestedAt: Date; expenseId: string; step: number },
): Promise<PendingRow[]> {
  const delegators = await delegatorsOf(db, approverId, today);
  let query = db
    .selectFrom('chain_step')
    .innerJoin('chain', 'chain.expense_id', 'chain_step.expense_id')
    .select([
      'chain_step.id as approval_id',
      'chain_step.expense_id',
      'chain_step.step',
      'chain.submitter_name',
      'chain.amount',
      'chain.description',
      'chain.policy_name',
      sql<Date>`chain_step.requested_at`.as('requested_at'),
      'chain_step.approver_id',
      'chain_step.approver_name',
    ])
    // Seats are looked up by approver on the queue index, the caller's own and those of
    // whoever delegates to them today: never a scan of every pending step in the company.
    .where('chain_step.approver_id', 'in', [approverId, ...delegators])
    .where('chain_step.status', '=', 'pending')
    .where('chain.company_id', '=', companyId);
  if (delegators.length > 0) {
    query = query.where((eb) =>
      eb.or([
        eb('chain_step.approver_id', '=', approverId),
        eb.exists(delegatedToMe(eb, approverId, today)),
      ]),
    );
  }
  if (after) {
    // With the step, as a delegate may act for two seats of one parallel stage.
    query = query.where(
      sql<boolean>`(chain_step.requested_at, chain_step.expense_id, chain_step.step) > (${after.requestedAt}, ${after.expenseId}, ${after.step})`,
    );
  }
  return query
    .orderBy('chain_step.requested_at')
    .orderBy('chain_step.expense_id')
    .orderBy('chain_step.step')
    .limit(limit)
    .execute();
}
