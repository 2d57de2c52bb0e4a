import type { AccessClaims, WithdrawResponse } from '@countersign/contracts';
import { NotFoundError, newEvent } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { completeChain, lockChain, setStepStatus } from '../db/chain-queries.js';
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
    const withdrawal = decideWithdrawal(chain, caller.sub);
    await setStepStatus(trx, expenseId, withdrawal.skippedSteps, 'skipped');
    await completeChain(trx, expenseId, 'withdrawn', now);
    await enqueue(trx, [
      newEvent('ExpenseWithdrawn', {
        companyId: caller.company_id,
        actor: { kind: 'user', id: caller.sub },
        subject: expenseId,
        occurredAt: now,
        data: {
          expense_id: expenseId,
          round: chain.round,
          submitter_id: chain.submitterId,
          reason,
          withdrawn_at: now.toISOString(),
          skipped_steps: withdrawal.skippedSteps,
          pending_approver_ids: withdrawal.pendingApproverIds,
        },
      }),
    ]);
    return {
      message: 'Expense withdrawn',
      expense_id: expenseId,
      expense_status: 'withdrawn',
      skipped_steps: withdrawal.skippedSteps,
    };
  });
}
