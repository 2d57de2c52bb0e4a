import type { AccessClaims, ExpenseDeletedV1, WithdrawResponse } from '@countersign/contracts';
import { NotFoundError, newEvent } from '@countersign/platform';
import type { Kysely, Transaction } from 'kysely';
import {
  completeChain,
  type LockedChain,
  lockChain,
  setStepStatus,
} from '../db/chain-decisions.js';
import type { ApprovalDatabase } from '../db/types.js';
import { decideWithdrawal } from '../domain/decide.js';
import { enqueue } from '../outbox/enqueue.js';

/**
 * The submitter withdraws their expense. The approval service takes this command because it
 * owns the chain: the chain stops accepting decisions in the same transaction, under the same
 * row lock as every decision, so a withdrawal racing an approval has exactly one winner. The
 * expense service follows from ExpenseWithdrawn.
 */
export async function withdrawExpense(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
  expenseId: string,
  reason: string | null,
  now: Date,
): Promise<WithdrawResponse> {
  return db.transaction().execute(async (trx) => {
    const chain = await lockChain(trx, caller.company_id, expenseId);
    if (!chain) {
      throw new NotFoundError(
        `no approval chain for expense ${expenseId} in your company (a new expense is routed within moments; retry shortly)`,
      );
    }
    const skippedSteps = await endChainAsWithdrawn(trx, chain, caller.sub, reason, now);
    return {
      message: 'Expense withdrawn',
      expense_id: expenseId,
      expense_status: 'withdrawn',
      skipped_steps: skippedSteps,
    };
  });
}

/**
 * The submitter deleted their sent-back expense in the expense service: its chain ends as
 * a withdrawal would end it (ExpenseWithdrawn, which the expense service follows), so it
 * waits for no resubmission. Only the round that was deleted, only while still sent back:
 * a replayed or late event, or one that lost to a withdrawal or a resubmission, changes
 * nothing. A deleted draft has no chain.
 */
export async function withdrawDeletedExpense(
  trx: Transaction<ApprovalDatabase>,
  event: ExpenseDeletedV1,
  now: Date,
): Promise<void> {
  if (event.data.status !== 'sent_back') return;
  const chain = await lockChain(trx, event.company_id, event.data.expense_id);
  if (chain?.status !== 'sent_back' || chain.round !== event.data.round) return;
  await endChainAsWithdrawn(trx, chain, event.data.deleted_by, 'deleted by the submitter', now);
}

/** Ends the locked chain as withdrawn by `actorId`, with ExpenseWithdrawn; the skipped steps. */
async function endChainAsWithdrawn(
  trx: Transaction<ApprovalDatabase>,
  chain: LockedChain,
  actorId: string,
  reason: string | null,
  now: Date,
): Promise<number[]> {
  const withdrawal = decideWithdrawal(chain, actorId);
  await setStepStatus(trx, chain.expenseId, withdrawal.skippedSteps, 'skipped');
  await completeChain(trx, chain.expenseId, 'withdrawn', now);
  await enqueue(trx, [
    newEvent('ExpenseWithdrawn', {
      companyId: chain.companyId,
      actor: { kind: 'user', id: actorId },
      subject: chain.expenseId,
      occurredAt: now,
      data: {
        expense_id: chain.expenseId,
        round: chain.round,
        submitter_id: chain.submitterId,
        reason,
        withdrawn_at: now.toISOString(),
        skipped_steps: withdrawal.skippedSteps,
        pending_approver_ids: withdrawal.pendingApproverIds,
      },
    }),
  ]);
  return withdrawal.skippedSteps;
}
