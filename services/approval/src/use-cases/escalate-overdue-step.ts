import type { EventOf, EventType } from '@countersign/contracts';
import { type Logger, newEvent } from '@countersign/platform';
import { type ResolvedStep, toChainStep } from '@countersign/routing';
import type { Kysely, Transaction } from 'kysely';
import {
  findStepApprover,
  type LockedChain,
  listStepsOf,
  lockChain,
  reassignStep,
  stageOf,
} from '../db/chain-queries.js';
import { claimDueDeadline, closeDeadline, type DeadlineKey } from '../db/deadline-queries.js';
import { listDirectory, lockCompanyDirectory } from '../db/org-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { escalationTarget } from '../domain/escalation-target.js';
import { enqueue } from '../outbox/enqueue.js';

export type EscalationOutcome = 'none' | 'escalated' | 'settled' | 'exhausted';

type Trx = Transaction<ApprovalDatabase>;
type Due = DeadlineKey & { company_id: string; due_at: Date };

const system = { kind: 'system', id: 'approval' } as const;

/**
 * Claims one due deadline and acts on it, in one transaction: if its step still waits for
 * the same approver, the step moves one level up (or to an admin) and the move is announced;
 * if the step was decided or moved meanwhile, the deadline is simply settled. Returns what
 * happened, 'none' when nothing was due.
 */
export async function escalateOverdueStep(
  db: Kysely<ApprovalDatabase>,
  now: Date,
  logger: Logger,
): Promise<EscalationOutcome> {
  return db.transaction().execute(async (trx) => {
    const due = await claimDueDeadline(trx, now);
    if (!due) return 'none';
    // Same order as org changes (directory, then chains), so the two never deadlock.
    await lockCompanyDirectory(trx, due.company_id, 'shared');
    const chain = await lockChain(trx, due.company_id, due.expense_id);
    const step = chain?.steps.find((s) => s.step === due.step);
    if (
      chain?.status !== 'pending' ||
      step?.status !== 'pending' ||
      step.approverId !== due.approver_id
    ) {
      await closeDeadline(trx, due, 'settled', now);
      return 'settled';
    }
    const outcome = await moveStepUp(trx, chain, due, now);
    if (outcome === 'exhausted') {
      logger.warn(
        { expense_id: due.expense_id, step: due.step, approver_id: due.approver_id },
        'step is overdue but nobody more senior and no admin can take it; it stays with its approver',
      );
    }
    await closeDeadline(trx, due, outcome, now);
    return outcome;
  });
}

async function moveStepUp(
  trx: Trx,
  chain: LockedChain,
  due: Due,
  now: Date,
): Promise<'escalated' | 'exhausted'> {
  const [steps, directory, details] = await Promise.all([
    listStepsOf(trx, [chain.expenseId]),
    listDirectory(trx, chain.companyId),
    findStepApprover(trx, chain.expenseId, due.step),
  ]);
  const row = steps.find((s) => s.step === due.step);
  if (!row) return 'exhausted';
  const holder = directory.people.find((p) => p.id === due.approver_id);
  const submitterTeam = directory.people.find((p) => p.id === chain.submitterId)?.teamId ?? '';
  const target = escalationTarget(
    {
      approverId: due.approver_id,
      levelNumber: holder?.levelNumber ?? row.required_level,
      teamScope: row.team_scope,
      ...(row.escalate_to ? { fallbackId: row.escalate_to } : {}),
    },
    { id: chain.submitterId, teamId: submitterTeam },
    // Approvers and the delegates who decided a seat in their name: nobody gets a second say.
    new Set(steps.flatMap((s) => (s.decided_by ? [s.approver_id, s.decided_by] : [s.approver_id]))),
    directory.people,
    directory.adminIds,
  );
  if (target.kind === 'nobody') return 'exhausted';
  const approver: ResolvedStep = {
    step: due.step,
    approverId: target.person.id,
    approverName: target.person.name,
    levelNumber: target.person.levelNumber,
    levelName: target.person.levelName,
    required: row.required,
    requiredLevel: row.required_level,
    teamScope: row.team_scope,
    stage: row.stage,
    needs: row.needs,
    // The seat keeps its rule: a later re-routing still looks for someone who meets it.
    rule: row.approver_rule,
    ...(row.escalate_to ? { escalateTo: row.escalate_to } : {}),
  };
  const assignment = row.assignment + 1;
  await reassignStep(trx, chain.expenseId, approver, assignment, now);
  const reason = `no decision by ${due.due_at.toISOString()}; ${escalationReasons[target.kind]}`;
  await enqueue(trx, announce(chain, due, approver, assignment, reason, details, now));
  return 'escalated';
}

const escalationReasons = {
  fallback: 'the step goes to the fallback its policy names',
  senior: 'the step moves one level up',
  admin: 'nobody more senior was eligible, so an admin takes the step',
} as const;

function announce(
  chain: LockedChain,
  due: Due,
  approver: ResolvedStep,
  assignment: number,
  reason: string,
  details: Awaited<ReturnType<typeof findStepApprover>>,
  now: Date,
): EventOf<EventType>[] {
  const about = {
    companyId: chain.companyId,
    actor: system,
    subject: chain.expenseId,
    occurredAt: now,
  };
  return [
    newEvent('ApproverReassigned', {
      ...about,
      data: {
        expense_id: chain.expenseId,
        step: due.step,
        previous_approver_id: due.approver_id,
        approver: toChainStep(approver),
        assignment,
        reason,
        // The round the step belongs to: the expense ignores a late one of a round it left.
        round: chain.round,
      },
    }),
    newEvent('ApprovalEscalated', {
      ...about,
      data: {
        expense_id: chain.expenseId,
        step: due.step,
        from_approver_id: due.approver_id,
        to_approver_id: approver.approverId,
        submitter_id: chain.submitterId,
        assignment,
        reason,
        due_at: due.due_at.toISOString(),
      },
    }),
    newEvent('ApprovalRequested', {
      ...about,
      data: {
        expense_id: chain.expenseId,
        step: due.step,
        approver_id: approver.approverId,
        submitter_id: chain.submitterId,
        submitter_name: details.submitter_name,
        amount: chain.amount,
        description: details.description,
        round: chain.round,
        ...stageOf(details),
      },
    }),
  ];
}
