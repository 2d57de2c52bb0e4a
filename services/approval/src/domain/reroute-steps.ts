import type { StepApprover } from '@countersign/contracts';
import type { Person, ResolvedStep, Submitter, TeamScope } from '@countersign/routing';
import { eligibleFor, mayHold } from '@countersign/routing';
import type { StepStatus } from './decide.js';

export interface OpenStep {
  step: number;
  approverId: string;
  status: StepStatus;
  required: boolean;
  requiredLevel: number;
  teamScope: TeamScope;
  /** How many approvers the step has had; 1 is the one chosen at routing. */
  assignment: number;
  stage: number;
  needs: 'one' | 'all';
  /** The step's own rule: a replacement must satisfy it (level, role, or named user's line). */
  rule: StepApprover;
  escalateAfterHours?: number;
  escalateTo?: string;
  /** A delegate who decided the step in its approver's name: they hold a say in the chain. */
  decidedBy?: string | null;
}

export interface OpenChain {
  expenseId: string;
  submitter: Submitter;
  steps: readonly OpenStep[];
}

export interface Reassignment {
  expenseId: string;
  step: number;
  previousApproverId: string;
  approver: ResolvedStep;
  assignment: number;
  /** The step was the one waiting for a decision: the new approver must be asked. */
  wasPending: boolean;
  /** How many seats the step's stage has (1 unless parallel). */
  seats: number;
  /** Nobody met the step's rules, so an admin of the company took it. */
  adminFallback: boolean;
}

export type RerouteOutcome =
  | { kind: 'kept' }
  | { kind: 'reassigned'; reassignments: Reassignment[] }
  | { kind: 'unassignable'; steps: number[] };

/** Admins, most senior first, then by name: the last resort for a step nobody else can take. */
function byAdminPreference(a: Person, b: Person): number {
  return a.levelNumber - b.levelNumber || a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
}

/**
 * Re-routes the open steps (`pending` or `waiting`) that `personId` holds in one chain,
 * after they were deactivated or moved. `people` is the company's directory as it is
 * after the change. A step whose holder still satisfies the step's own rule keeps them.
 * Otherwise it goes to the next eligible approver by that rule, as routing ranks them: a
 * level step to the nearest level in scope (falling through to more senior levels), a role
 * step to another active person of the role, a named-user step up the named user's
 * reporting line; never the submitter, never someone already in the chain (the other
 * seats of a parallel stage included). If there is nobody, an active admin who is neither
 * the submitter nor in the chain takes it; if there is none either, the step is reported
 * unassignable and the caller must refuse the change.
 */
export function rerouteSteps(
  chain: OpenChain,
  personId: string,
  people: readonly Person[],
  adminIds: ReadonlySet<string>,
): RerouteOutcome {
  const holder = people.find((p) => p.id === personId);
  // Delegates who decided a seat count as in the chain: nobody gets a second say.
  const inChain = new Set(
    chain.steps.flatMap((s) => (s.decidedBy ? [s.approverId, s.decidedBy] : [s.approverId])),
  );
  const othersInChain = new Set([...inChain].filter((id) => id !== personId));
  const open = chain.steps.filter(
    (s) => s.approverId === personId && (s.status === 'pending' || s.status === 'waiting'),
  );
  const toMove = open.filter(
    (s) => !holder || !mayHold(s.rule, holder, chain.submitter, people, othersInChain),
  );
  if (toMove.length === 0) return { kind: 'kept' };
  const reassignments: Reassignment[] = [];
  const unassignable: number[] = [];
  for (const step of toMove) {
    const next = nextApprover(step, chain.submitter, people, adminIds, inChain);
    if (!next) {
      unassignable.push(step.step);
      continue;
    }
    inChain.add(next.person.id);
    reassignments.push({
      expenseId: chain.expenseId,
      step: step.step,
      previousApproverId: personId,
      approver: {
        step: step.step,
        approverId: next.person.id,
        approverName: next.person.name,
        levelNumber: next.person.levelNumber,
        levelName: next.person.levelName,
        required: step.required,
        requiredLevel: step.requiredLevel,
        teamScope: step.teamScope,
        stage: step.stage,
        needs: step.needs,
        rule: step.rule,
        ...(step.escalateAfterHours ? { escalateAfterHours: step.escalateAfterHours } : {}),
        ...(step.escalateTo ? { escalateTo: step.escalateTo } : {}),
      },
      assignment: step.assignment + 1,
      wasPending: step.status === 'pending',
      seats: chain.steps.filter((s) => s.stage === step.stage).length,
      adminFallback: next.adminFallback,
    });
  }
  if (unassignable.length > 0) return { kind: 'unassignable', steps: unassignable };
  return { kind: 'reassigned', reassignments };
}

function nextApprover(
  step: OpenStep,
  submitter: Submitter,
  people: readonly Person[],
  adminIds: ReadonlySet<string>,
  inChain: ReadonlySet<string>,
): { person: Person; adminFallback: boolean } | undefined {
  const [eligible] = eligibleFor(step.rule, submitter, people, inChain);
  if (eligible) return { person: eligible, adminFallback: false };
  const admin = people
    .filter((p) => adminIds.has(p.id) && p.active && p.id !== submitter.id && !inChain.has(p.id))
    .sort(byAdminPreference)[0];
  return admin ? { person: admin, adminFallback: true } : undefined;
}
