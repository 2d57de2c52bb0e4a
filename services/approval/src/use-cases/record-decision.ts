import type { AccessClaims, DecisionResponse, EventOf, EventType } from '@countersign/contracts';
import { ConflictError, ForbiddenError, NotFoundError, newEvent } from '@countersign/platform';
import type { Kysely, Transaction } from 'kysely';
import {
  completeChain,
  findStepApprover,
  type LockedChain,
  lockChain,
  setStepStatus,
  stageOf,
} from '../db/chain-decisions.js';
import { markDecidedBy } from '../db/delegation-queries.js';
import { isActivePerson } from '../db/directory-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { type Decision, decide } from '../domain/decide.js';
import { enqueue } from '../outbox/enqueue.js';
import { findActingApprover } from './find-acting-approver.js';

export type DecisionInput = (
  | { kind: 'approve'; comments: string | null }
  | { kind: 'reject'; reason: string }
  | { kind: 'send-back'; comment: string }
) & {
  expenseId: string;
  /** Seed 002 names the step it decides: the decision must settle exactly that one. */
  expectedStep?: { step: number; round: number };
};

type Trx = Transaction<ApprovalDatabase>;

/**
 * Records an approver's decision on the current step of an expense's chain. The chain row
 * is locked for the whole decision, and the step change and its events commit together:
 * of two racing decisions (or a decision racing a withdrawal) the second sees the first's
 * result and is refused with 409.
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
    const acting = await findActingApprover(trx, chain, caller.sub, now, input.expectedStep?.step);
    const decision = decide(chain, { kind: input.kind, actorId: acting.approverId });
    const expected = input.expectedStep;
    if (expected && (expected.round !== chain.round || expected.step !== decision.decidedStep)) {
      throw new ConflictError(
        'this approval is no longer waiting for a decision',
        'already-decided',
      );
    }
    if (acting.decidedBy) {
      await markDecidedBy(trx, chain.expenseId, decision.decidedStep, acting.decidedBy);
    }
    const who = {
      callerId: caller.sub,
      approverId: acting.approverId,
      decidedBy: acting.decidedBy,
    };
    const events = await storeDecision(trx, chain, who, input, decision, now);
    await enqueue(trx, events);
    const response = toResponse(chain.expenseId, input.kind, decision);
    return acting.decidedBy
      ? { ...response, decided_by: acting.decidedBy, on_behalf_of: acting.approverId }
      : response;
  });
}

/** Who acts: the caller, in their own name or (as a delegate) in the approver's. */
interface Actors {
  callerId: string;
  approverId: string;
  decidedBy: string | null;
}

/** Writes the decision's step and chain changes; returns the one event per transition. */
async function storeDecision(
  trx: Trx,
  chain: LockedChain,
  who: Actors,
  input: DecisionInput,
  decision: Decision,
  now: Date,
): Promise<EventOf<EventType>[]> {
  const envelope = {
    companyId: chain.companyId,
    actor: { kind: 'user', id: who.callerId } as const,
    subject: chain.expenseId,
    occurredAt: now,
  };
  const about = {
    expense_id: chain.expenseId,
    step: decision.decidedStep,
    approver_id: who.approverId,
    submitter_id: chain.submitterId,
    round: chain.round,
  };
  const delegated = who.decidedBy ? { decided_by: who.decidedBy } : {};
  const stepStatus = { approve: 'approved', reject: 'rejected', 'send-back': 'sent_back' } as const;
  await setStepStatus(trx, chain.expenseId, [decision.decidedStep], stepStatus[input.kind], {
    decidedAt: now,
    comments: commentOf(input),
  });
  await setStepStatus(trx, chain.expenseId, decision.skippedSteps, 'skipped');
  if (input.kind === 'send-back') {
    await completeChain(trx, chain.expenseId, 'sent_back', now);
    return [
      newEvent('ExpenseSentBack', {
        ...envelope,
        data: {
          ...about,
          comment: input.comment,
          sent_back_at: now.toISOString(),
          ...delegated,
          ...(decision.skippedSteps.length > 0 ? { skipped_steps: decision.skippedSteps } : {}),
        },
      }),
    ];
  }
  if (input.kind === 'reject') {
    await completeChain(trx, chain.expenseId, 'rejected', now);
    return [
      newEvent('ExpenseRejected', {
        ...envelope,
        data: {
          ...about,
          reason: input.reason,
          rejected_at: now.toISOString(),
          skipped_steps: decision.skippedSteps,
          ...delegated,
        },
      }),
    ];
  }
  const events: EventOf<EventType>[] = [
    newEvent('StepApproved', {
      ...envelope,
      data: {
        ...about,
        comments: input.comments,
        approved_at: now.toISOString(),
        pending_required_steps: decision.pendingRequired,
        ...delegated,
        stage: decision.stage,
        stage_completed: decision.stageCompleted,
        // Skipped siblings of a one-of stage; on the last approval ExpenseApproved names them.
        ...(decision.outcome === 'step-approved' && decision.skippedSteps.length > 0
          ? { skipped_steps: decision.skippedSteps }
          : {}),
      },
    }),
  ];
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
          round: chain.round,
        },
      }),
    );
  } else if (decision.nextSteps.length > 0) {
    // Every seat of the next stage is asked at once.
    await setStepStatus(trx, chain.expenseId, decision.nextSteps, 'pending', { requestedAt: now });
    for (const step of decision.nextSteps) {
      const next = await findStepApprover(trx, chain.expenseId, step);
      events.push(
        newEvent('ApprovalRequested', {
          ...envelope,
          data: {
            expense_id: chain.expenseId,
            step,
            approver_id: next.approver_id,
            submitter_id: chain.submitterId,
            submitter_name: next.submitter_name,
            amount: chain.amount,
            description: next.description,
            round: chain.round,
            ...stageOf(next),
          },
        }),
      );
    }
  }
  return events;
}

function commentOf(input: DecisionInput): string | null {
  if (input.kind === 'approve') return input.comments;
  return input.kind === 'reject' ? input.reason : input.comment;
}

function toResponse(
  expenseId: string,
  kind: DecisionInput['kind'],
  decision: Decision,
): DecisionResponse {
  if (kind === 'send-back') {
    return {
      message: 'Expense sent back to its submitter',
      expense_id: expenseId,
      step_sent_back: decision.decidedStep,
      expense_status: 'sent_back',
      pending_approvals: 0,
    };
  }
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
