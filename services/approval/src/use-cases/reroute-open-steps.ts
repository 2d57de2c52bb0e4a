import type { Actor, EventOf, EventType } from '@countersign/contracts';
import { newEvent, UnprocessableError } from '@countersign/platform';
import { toChainStep } from '@countersign/routing';
import type { Transaction } from 'kysely';
import { listStepsOf, lockOpenChainsOf, reassignStep, stageOf } from '../db/chain-queries.js';
import { listDirectory } from '../db/org-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { type Reassignment, rerouteSteps } from '../domain/reroute-steps.js';

export interface RerouteInput {
  companyId: string;
  /** The person who was deactivated or moved; the change is already written in `trx`. */
  personId: string;
  reason: string;
  actor: Actor;
  now: Date;
}

/**
 * Re-routes the undecided steps a person holds in chains still in flight, after they were
 * deactivated or moved, in the transaction of that change. Returns the events to enqueue
 * with it. If a step would be left with nobody at all to decide it, the change is refused
 * (422) rather than leave the expense stuck.
 */
export async function rerouteOpenSteps(
  trx: Transaction<ApprovalDatabase>,
  input: RerouteInput,
): Promise<EventOf<EventType>[]> {
  const chains = await lockOpenChainsOf(trx, input.companyId, input.personId);
  if (chains.length === 0) return [];
  const [steps, directory] = await Promise.all([
    listStepsOf(
      trx,
      chains.map((c) => c.expense_id),
    ),
    listDirectory(trx, input.companyId),
  ]);
  const teamOf = new Map(directory.people.map((p) => [p.id, p.teamId]));
  const events: EventOf<EventType>[] = [];
  const stuck: string[] = [];
  for (const chain of chains) {
    const outcome = rerouteSteps(
      {
        expenseId: chain.expense_id,
        // Team-scoped steps follow the submitter's team as the directory has it now.
        submitter: { id: chain.submitter_id, teamId: teamOf.get(chain.submitter_id) ?? '' },
        steps: steps
          .filter((s) => s.expense_id === chain.expense_id)
          .map((s) => ({
            step: s.step,
            approverId: s.approver_id,
            status: s.status,
            required: s.required,
            requiredLevel: s.required_level,
            teamScope: s.team_scope,
            assignment: s.assignment,
            stage: s.stage,
            needs: s.needs,
            rule: s.approver_rule,
            ...(s.escalate_after_hours ? { escalateAfterHours: s.escalate_after_hours } : {}),
            ...(s.escalate_to ? { escalateTo: s.escalate_to } : {}),
            decidedBy: s.decided_by,
          })),
      },
      input.personId,
      directory.people,
      directory.adminIds,
    );
    if (outcome.kind === 'unassignable') {
      stuck.push(`expense ${chain.expense_id} step ${outcome.steps.join(', ')}`);
    } else if (outcome.kind === 'reassigned') {
      for (const r of outcome.reassignments) {
        await reassignStep(
          trx,
          r.expenseId,
          r.approver,
          r.assignment,
          r.wasPending ? input.now : null,
        );
        events.push(...announce(r, chain, input));
      }
    }
  }
  if (stuck.length > 0) {
    throw new UnprocessableError(
      `this change would leave ${stuck.join('; ')} with nobody to decide it (no eligible approver and no other active admin); add or promote an admin first`,
      'approver-unreplaceable',
    );
  }
  return events;
}

function announce(
  r: Reassignment,
  chain: {
    submitter_id: string;
    submitter_name: string;
    amount: string;
    description: string;
    round: number;
  },
  input: RerouteInput,
): EventOf<EventType>[] {
  const about = {
    companyId: input.companyId,
    actor: input.actor,
    subject: r.expenseId,
    occurredAt: input.now,
  };
  const reason = r.adminFallback
    ? `${input.reason}; nobody else was eligible, so an admin takes the step`
    : input.reason;
  const events: EventOf<EventType>[] = [
    newEvent('ApproverReassigned', {
      ...about,
      data: {
        expense_id: r.expenseId,
        step: r.step,
        previous_approver_id: r.previousApproverId,
        approver: toChainStep(r.approver),
        assignment: r.assignment,
        reason,
        // The round the step belongs to: the expense ignores a late one of a round it left.
        round: chain.round,
      },
    }),
  ];
  if (r.wasPending) {
    events.push(
      newEvent('ApprovalRequested', {
        ...about,
        data: {
          expense_id: r.expenseId,
          step: r.step,
          approver_id: r.approver.approverId,
          submitter_id: chain.submitter_id,
          submitter_name: chain.submitter_name,
          amount: chain.amount,
          description: chain.description,
          round: chain.round,
          ...stageOf({ stage: r.approver.stage, needs: r.approver.needs, seats: r.seats }),
        },
      }),
    );
  }
  return events;
}
