import type { Transaction } from 'kysely';
import type { LockedChain } from '../db/chain-decisions.js';
import { findExpenseScope, listDelegationsBetween, toTerms } from '../db/delegation-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { type Acting, actingFor } from '../domain/delegation.js';

/**
 * In whose name the caller decides a pending seat of the chain: their own, or, through a
 * delegation in force that covers the expense, a pending seat's approver's (see `actingFor`).
 */
export async function findActingApprover(
  trx: Transaction<ApprovalDatabase>,
  chain: LockedChain,
  callerId: string,
  now: Date,
  preferredStep?: number,
): Promise<Acting> {
  const pending = chain.steps.filter((s) => s.status === 'pending');
  if (pending.some((s) => s.approverId === callerId)) {
    return { approverId: callerId, decidedBy: null };
  }
  const delegations = await listDelegationsBetween(
    trx,
    chain.companyId,
    pending.map((s) => s.approverId),
    callerId,
  );
  if (delegations.length === 0) return { approverId: callerId, decidedBy: null };
  const { category } = await findExpenseScope(trx, chain.expenseId);
  return actingFor(
    { submitterId: chain.submitterId, amount: chain.amount, category, steps: chain.steps },
    callerId,
    delegations.map(toTerms),
    now,
    preferredStep,
  );
}
