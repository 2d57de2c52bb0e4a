import type { ExpenseSubmittedV1 } from '@countersign/contracts';
import { AppError, newEvent } from '@countersign/platform';
import type { Transaction } from 'kysely';
import { insertChainWithEvents } from '../db/chain-queries.js';
import { listCandidates } from '../db/directory-queries.js';
import { lockCompanyDirectory } from '../db/org-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import type { ResolvedStep } from '../domain/org.js';
import { toChainStep } from '../domain/org.js';
import { resolveChain } from '../domain/resolve-chain.js';
import { enqueue } from '../outbox/enqueue.js';

const system = { kind: 'system', id: 'approval' } as const;

/**
 * Stores the chain an expense was accepted with. Each decided approver is re-checked
 * against the directory as it is now: one who left or moved is replaced by the next
 * eligible approver and the change is announced; if a step has nobody left, routing fails
 * and the expense is refused by event.
 */
export async function storeChain(
  trx: Transaction<ApprovalDatabase>,
  event: ExpenseSubmittedV1,
  now: Date,
): Promise<void> {
  const { data } = event;
  // Every event this emits is the approval service's own statement about this expense.
  const about = { companyId: event.company_id, actor: system, subject: data.expense_id };
  // Waits for an org change in progress, so the chain is routed on the directory after it.
  await lockCompanyDirectory(trx, event.company_id, 'shared');
  const people = await listCandidates(
    trx,
    event.company_id,
    data.submitter.team_id,
    data.chain.map((s) => s.team_scope),
  );
  let resolved: {
    chain: ResolvedStep[];
    adjustments: ReturnType<typeof resolveChain>['adjustments'];
  };
  try {
    resolved = resolveChain(
      data.chain.map((s) => ({
        order: s.step,
        requiredLevel: s.required_level,
        teamScope: s.team_scope,
        required: s.required,
      })),
      { id: data.submitter.id, teamId: data.submitter.team_id },
      people,
      new Map(data.chain.map((s) => [s.step, s.approver_id])),
    );
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    await enqueue(trx, [
      newEvent('ExpenseRoutingFailed', {
        ...about,
        data: {
          expense_id: data.expense_id,
          submitter_id: data.submitter.id,
          reason: error.message,
        },
      }),
    ]);
    return;
  }
  const first = resolved.chain[0];
  if (!first) return;
  const routed = newEvent('ExpenseRouted', {
    ...about,
    data: {
      expense_id: data.expense_id,
      submitter_id: data.submitter.id,
      chain: resolved.chain.map(toChainStep),
      adjustments: resolved.adjustments.map((a) => ({
        step: a.step,
        previous_approver_id: a.previousApproverId,
        approver_id: a.approverId,
        reason: a.reason,
      })),
    },
  });
  const requested = newEvent('ApprovalRequested', {
    ...about,
    data: {
      expense_id: data.expense_id,
      step: first.step,
      approver_id: first.approverId,
      submitter_id: data.submitter.id,
      submitter_name: data.submitter.name,
      amount: data.amount,
      description: data.description,
    },
  });
  await insertChainWithEvents(
    trx,
    {
      expenseId: data.expense_id,
      companyId: event.company_id,
      submitterId: data.submitter.id,
      submitterName: data.submitter.name,
      policyId: data.policy.id,
      policyName: data.policy.name,
      amount: data.amount,
      description: data.description,
    },
    resolved.chain,
    [routed, requested],
    now,
  );
}
