import { UnprocessableError } from '@countersign/platform';
import { levelRule, type Person, type PolicyStep, type ResolvedStep } from './org.js';

export interface Submitter {
  id: string;
  teamId: string;
}

export interface Adjustment {
  step: number;
  previousApproverId: string;
  approverId: string;
  reason: string;
}

/** Who may hold a step: active, not the submitter, not already in the chain, senior enough, in reach. */
export function isEligible(
  person: Person,
  step: Pick<PolicyStep, 'requiredLevel' | 'teamScope'>,
  submitter: Submitter,
  used: ReadonlySet<string>,
): boolean {
  return (
    person.active &&
    person.id !== submitter.id &&
    !used.has(person.id) &&
    person.levelNumber <= step.requiredLevel &&
    (step.teamScope === 'company' || person.teamId === submitter.teamId)
  );
}

/** Nearest level to the one required first (level 1 is the most senior), then by name. */
export function byNearestLevel(a: Person, b: Person): number {
  return b.levelNumber - a.levelNumber || a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
}

/**
 * Resolves each policy step to one approver: active, in the submitter's team (or anyone in
 * the company for company-scoped steps), at the required level or more senior with the
 * nearest level first, never the submitter and never someone already earlier in the chain.
 * A step with nobody at its level falls through to the next more senior level; a step with
 * nobody at all refuses the expense.
 *
 * `preferred` re-validates an earlier decision: a preferred approver who is still eligible
 * keeps the step; otherwise the step is re-resolved and the change is reported.
 */
export function resolveChain(
  steps: readonly PolicyStep[],
  submitter: Submitter,
  people: readonly Person[],
  preferred: ReadonlyMap<number, string> = new Map(),
): { chain: ResolvedStep[]; adjustments: Adjustment[] } {
  const used = new Set<string>();
  const chain: ResolvedStep[] = [];
  const adjustments: Adjustment[] = [];
  for (const step of [...steps].sort((a, b) => a.order - b.order)) {
    const candidates = people
      .filter((p) => isEligible(p, step, submitter, used))
      .sort(byNearestLevel);
    const wanted = preferred.get(step.order);
    const approver = candidates.find((p) => p.id === wanted) ?? candidates[0];
    if (!approver) {
      throw new UnprocessableError(
        `step ${step.order} needs an approver at level ${step.requiredLevel} or more senior ` +
          `${step.teamScope === 'company' ? 'in the company' : "in the submitter's team"}, and there is none`,
        'no-eligible-approver',
      );
    }
    if (wanted !== undefined && wanted !== approver.id) {
      adjustments.push({
        step: step.order,
        previousApproverId: wanted,
        approverId: approver.id,
        reason: 'the approver chosen at submission is no longer eligible',
      });
    }
    used.add(approver.id);
    chain.push({
      step: step.order,
      approverId: approver.id,
      approverName: approver.name,
      levelNumber: approver.levelNumber,
      levelName: approver.levelName,
      required: step.required,
      requiredLevel: step.requiredLevel,
      teamScope: step.teamScope,
      stage: step.order,
      needs: 'one',
      rule: levelRule(step.requiredLevel, step.teamScope),
    });
  }
  return { chain, adjustments };
}
