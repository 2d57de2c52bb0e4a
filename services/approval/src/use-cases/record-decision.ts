import type { AccessClaims, DecisionResponse, EventOf, EventType } from '@countersign/contracts';
import { ForbiddenError, NotFoundError, newEvent } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { completeChain, findStepApprover, lockChain, setStepStatus } from '../db/chain-queries.js';
import { markDecidedBy } from '../db/delegation-queries.js';
import { isActivePerson } from '../db/directory-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { decide } from '../domain/decide.js';
import { enqueue } from '../outbox/enqueue.js';
import { findActingApprover } from './find-acting-approver.js';

export type DecisionInput =
  | { kind: 'approve'; expenseId: string; comments: string | null }
  | { kind: 'reject'; expenseId: string; reason: string };

/**
 * Records an approver's decision on the current step of an expense's chain. The chain row
 * is locked for the whole decision, and the step change and its events commit together.
 */
export async function recordDecision(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
  input: DecisionInput,
  now: Date,
): Promise<DecisionResponse> {
  return db.transaction().execute(async (trx) => {
    const chain = await lockChain(trx, caller.company_id, input.expenseId);
    if (!chain) {
      throw new NotFoundError(
        `no approval chain for expense ${input.expenseId} in your company (a new expense is routed within moments; retry shortly)`,
      );
    }
    if (!(await isActivePerson(trx, caller.company_id, caller.sub))) {
      throw new ForbiddenError('your account is deactivated: you can no longer approve or reject');
    }
    // A delegate decides in the approver's name; the record keeps both.
    const acting = await findActingApprover(trx, chain, caller.sub, now);
    const decision = decide(chain, { kind: input.kind, actorId: acting.approverId });
    const delegated = acting.decidedBy ? { decided_by: acting.decidedBy } : {};
    if (acting.decidedBy)
      await markDecidedBy(trx, chain.expenseId, decision.decidedStep, acting.decidedBy);
    const comments = input.kind === 'approve' ? input.comments : input.reason;
    const envelope = {
      companyId: caller.company_id,
      actor: { kind: 'user', id: caller.sub } as const,
      subject: chain.expenseId,
      occurredAt: now,
    };
    const events: EventOf<EventType>[] = [];
    await setStepStatus(
      trx,
      chain.expenseId,
      [decision.decidedStep],
      input.kind === 'approve' ? 'approved' : 'rejected',
      {
        decidedAt: now,
        comments,
      },
    );
    await setStepStatus(trx, chain.expenseId, decision.skippedSteps, 'skipped');
    if (input.kind === 'reject') {
      await completeChain(trx, chain.expenseId, 'rejected', now);
      events.push(
        newEvent('ExpenseRejected', {
          ...envelope,
          data: {
            expense_id: chain.expenseId,
            step: decision.decidedStep,
            approver_id: acting.approverId,
            submitter_id: chain.submitterId,
            reason: input.reason,
            rejected_at: now.toISOString(),
            skipped_steps: decision.skippedSteps,
            ...delegated,
          },
        }),
      );
    } else {
      events.push(
        newEvent('StepApproved', {
          ...envelope,
          data: {
            expense_id: chain.expenseId,
            step: decision.decidedStep,
            approver_id: acting.approverId,
            submitter_id: chain.submitterId,
            comments: input.comments,
            approved_at: now.toISOString(),
            pending_required_steps: decision.pendingRequired,
            ...delegated,
          },
        }),
      );
      if (decision.outcome === 'expense-approved') {
        await completeChain(trx, chain.expenseId, 'approved', now);
        events.push(
          newEvent('ExpenseApproved', {
            ...envelope,
            data: {
              expense_id: chain.expenseId,
              submitter_id: chain.submitterId,
              amount: chain.amount,
              completed_at: now.toISOString(),
              skipped_steps: decision.skippedSteps,
            },
          }),
        );
      } else if (decision.nextStep !== null) {
        await setStepStatus(trx, chain.expenseId, [decision.nextStep], 'pending', {
          requestedAt: now,
        });
        const next = await findStepApprover(trx, chain.expenseId, decision.nextStep);
        events.push(
          newEvent('ApprovalRequested', {
            ...envelope,
            data: {
              expense_id: chain.expenseId,
              step: decision.nextStep,
              approver_id: next.approver_id,
              submitter_id: chain.submitterId,
              submitter_name: next.submitter_name,
              amount: chain.amount,
              description: next.description,
            },
          }),
        );
      }
    }
    await enqueue(trx, events);
    const response = toResponse(chain.expenseId, input.kind, decision);
    return acting.decidedBy
      ? { ...response, decided_by: acting.decidedBy, on_behalf_of: acting.approverId }
      : response;
  });
}

function toResponse(
  expenseId: string,
  kind: DecisionInput['kind'],
  decision: ReturnType<typeof decide>,
): DecisionResponse {
  if (kind === 'reject') {
    return {
      message: 'Expense rejected',
      expense_id: expenseId,
      step_rejected: decision.decidedStep,
      expense_status: 'rejected',
      pending_approvals: 0,
    };
  }
  return {
    message: 'Approval submitted successfully',
    expense_id: expenseId,
    step_approved: decision.decidedStep,
    expense_status: decision.outcome === 'expense-approved' ? 'approved' : 'pending',
    pending_approvals: decision.pendingRequired,
  };
}
