import type { ExpenseResubmittedV1 } from '@countersign/contracts';
import { AppError, newEvent } from '@countersign/platform';
import type { Transaction } from 'kysely';
import { completeChain, lockChain, replaceChainRound } from '../db/chain-queries.js';
import { listCandidates } from '../db/directory-queries.js';
import { lockCompanyDirectory } from '../db/org-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { acceptsResubmission } from '../domain/decide.js';
import { toChainStep } from '../domain/org.js';
import { resolveChain } from '../domain/resolve-chain.js';
import { enqueue } from '../outbox/enqueue.js';

const system = { kind: 'system', id: 'approval' } as const;

/**
 * Replaces a sent-back chain with the round the submitter resubmitted. The new decision is
 * re-checked against the directory as at submit (the same rule as storing the first chain).
 * Approvals of the previous round do not carry over: the edit may have changed what they
 * approved. A replayed event, or one arriving after a withdrawal won, changes nothing.
 */
export async function startNewRound(
  trx: Transaction<ApprovalDatabase>,
  event: ExpenseResubmittedV1,
  now: Date,
): Promise<void> {
  const { data } = event;
  const about = { companyId: event.company_id, actor: system, subject: data.expense_id };
  await lockCompanyDirectory(trx, event.company_id, 'shared');
  const chain = await lockChain(trx, event.company_id, data.expense_id);
  if (!chain || !acceptsResubmission(chain, data.round)) return;
  const people = await listCandidates(
    trx,
    event.company_id,
    data.submitter.team_id,
    data.chain.map((s) => s.team_scope),
  );
  let resolved: ReturnType<typeof resolveChain>;
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
    await completeChain(trx, data.expense_id, 'refused', now);
    await enqueue(trx, [
      newEvent('ExpenseRoutingFailed', {
        ...about,
        data: {
          expense_id: data.expense_id,
          submitter_id: data.submitter.id,
          reason: error.message,
          round: data.round,
        },
      }),
    ]);
    return;
  }
  const first = resolved.chain[0];
  if (!first) return;
  await replaceChainRound(
    trx,
    {
      expenseId: data.expense_id,
      round: data.round,
      submitterName: data.submitter.name,
      policyId: data.policy.id,
      policyName: data.policy.name,
      amount: data.amount,
      description: data.description,
    },
    resolved.chain,
    now,
  );
  await enqueue(trx, [
    newEvent('ExpenseRouted', {
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
        round: data.round,
      },
    }),
    newEvent('ApprovalRequested', {
      ...about,
      data: {
        expense_id: data.expense_id,
        step: first.step,
        approver_id: first.approverId,
        submitter_id: data.submitter.id,
        submitter_name: data.submitter.name,
        amount: data.amount,
        description: data.description,
        round: data.round,
      },
    }),
  ]);
}
