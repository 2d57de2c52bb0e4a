import type { PolicyStep, StepApprover } from '@countersign/contracts';
import { UnprocessableError } from '@countersign/platform';
import type { Person, ResolvedStep, TeamScope } from './org.js';
import { byNearestLevel, type Submitter } from './resolve-chain.js';

export interface CandidateTrace {
  person_id: string;
  name: string;
  chosen: boolean;
  reason: string;
}

export interface StepTrace {
  step: number;
  approver: StepApprover;
  required: boolean;
  approver_id: string | null;
  candidates: CandidateTrace[];
}

export interface StepsResolution {
  chain: ResolvedStep[];
  steps: StepTrace[];
  adjustments: { step: number; previousApproverId: string; approverId: string; reason: string }[];
}

/** Why someone cannot hold a step whatever its rule; undefined when nothing stands in the way. */
function generalBar(person: Person, submitter: Submitter, used: ReadonlySet<string>) {
  if (!person.active) return 'inactive';
  if (person.id === submitter.id) return 'is the submitter';
  if (used.has(person.id)) return 'already approves an earlier step';
  return undefined;
}

function levelBar(person: Person, level: number, scope: TeamScope, submitter: Submitter) {
  if (person.levelNumber > level) return `level ${person.levelNumber} is more junior than ${level}`;
  if (scope === 'submitter' && person.teamId !== submitter.teamId)
    return "not in the submitter's team";
  return undefined;
}

/** Same team as the submitter first, then the most senior level, then by name. */
function byTeamThenSeniority(teamId: string) {
  return (a: Person, b: Person) =>
    Number(b.teamId === teamId) - Number(a.teamId === teamId) ||
    a.levelNumber - b.levelNumber ||
    a.name.localeCompare(b.name) ||
    a.id.localeCompare(b.id);
}

interface Ranked {
  eligible: Person[];
  traces: CandidateTrace[];
}

function rank(
  approver: StepApprover,
  submitter: Submitter,
  people: readonly Person[],
  used: ReadonlySet<string>,
): Ranked {
  const traces: CandidateTrace[] = [];
  const eligible: Person[] = [];
  const consider = (person: Person, extraBar: string | undefined) => {
    const bar = generalBar(person, submitter, used) ?? extraBar;
    if (bar) traces.push({ person_id: person.id, name: person.name, chosen: false, reason: bar });
    else eligible.push(person);
  };
  if (approver.by === 'level') {
    const scope: TeamScope = approver.scope === 'company' ? 'company' : 'submitter';
    const inReach = people.filter((p) => scope === 'company' || p.teamId === submitter.teamId);
    for (const p of [...inReach].sort(byNearestLevel))
      consider(p, levelBar(p, approver.level, scope, submitter));
    return { eligible, traces };
  }
  if (approver.by === 'role') {
    const ofRole = people.filter((p) => p.role === approver.role);
    for (const p of [...ofRole].sort(byTeamThenSeniority(submitter.teamId))) consider(p, undefined);
    return { eligible, traces };
  }
  rankNamedUser(approver.user_id, people, consider, traces, () => eligible.length > 0);
  return { eligible, traces };
}

/**
 * A named user who cannot approve (the submitter, already in the chain, inactive, gone)
 * hands the step to their manager, then that manager's manager, and so on: the next rule
 * of resolution is "up the named user's reporting line".
 */
function rankNamedUser(
  userId: string,
  people: readonly Person[],
  consider: (person: Person, extraBar: string | undefined) => void,
  traces: CandidateTrace[],
  found: () => boolean,
): void {
  const byId = new Map(people.map((p) => [p.id, p]));
  const seen = new Set<string>();
  let current = byId.get(userId);
  if (!current)
    traces.push({
      person_id: userId,
      name: '(unknown)',
      chosen: false,
      reason: 'not an active member of the company',
    });
  while (current && !seen.has(current.id)) {
    seen.add(current.id);
    consider(current, undefined);
    if (found()) break;
    current = current.managerId ? byId.get(current.managerId) : undefined;
  }
}

function describeStep(approver: StepApprover): string {
  if (approver.by === 'level') {
    return `an approver at level ${approver.level} or more senior ${approver.scope === 'company' ? 'in the company' : "in the submitter's team"}`;
  }
  if (approver.by === 'role') return `an active ${approver.role}`;
  return `user ${approver.user_id} or someone up their reporting line`;
}

/**
 * Resolves each step to one approver and explains every candidate considered. Nobody ever
 * approves their own expense and nobody appears twice. A required step with nobody
 * eligible refuses the expense; an optional one is left out of the chain.
 * `preferred` re-validates an earlier choice (the approver chosen at submission).
 */
export function resolveSteps(
  steps: readonly PolicyStep[],
  submitter: Submitter,
  people: readonly Person[],
  preferred: ReadonlyMap<number, string> = new Map(),
): StepsResolution {
  const used = new Set<string>();
  const result: StepsResolution = { chain: [], steps: [], adjustments: [] };
  steps.forEach((step, index) => {
    const order = index + 1;
    const { eligible, traces } = rank(step.approver, submitter, people, used);
    const wanted = preferred.get(order);
    const approver = eligible.find((p) => p.id === wanted) ?? eligible[0];
    const candidates = [
      ...eligible.map((p) => ({
        person_id: p.id,
        name: p.name,
        chosen: p === approver,
        reason:
          p === approver
            ? p.id === wanted
              ? 'chosen at submission and still eligible'
              : 'first eligible in order'
            : 'eligible, but ranked after the chosen approver',
      })),
      ...traces,
    ];
    result.steps.push({
      step: order,
      approver: step.approver,
      required: step.required,
      approver_id: approver?.id ?? null,
      candidates,
    });
    if (!approver) {
      if (!step.required) return;
      throw new UnprocessableError(
        `step ${order} needs ${describeStep(step.approver)}, and there is none`,
        'no-eligible-approver',
      );
    }
    if (wanted !== undefined && wanted !== approver.id) {
      result.adjustments.push({
        step: order,
        previousApproverId: wanted,
        approverId: approver.id,
        reason: 'the approver chosen at submission is no longer eligible',
      });
    }
    used.add(approver.id);
    result.chain.push(toResolved(order, step, approver));
  });
  return renumber(result);
}

function toResolved(order: number, step: PolicyStep, approver: Person): ResolvedStep {
  const a = step.approver;
  return {
    step: order,
    approverId: approver.id,
    approverName: approver.name,
    levelNumber: approver.levelNumber,
    levelName: approver.levelName,
    required: step.required,
    // Role and user steps are recorded as "this approver's level, company-wide" for the
    // level-based re-routing that runs when an approver leaves.
    requiredLevel: a.by === 'level' ? a.level : approver.levelNumber,
    teamScope: a.by === 'level' && a.scope === 'submitter_team' ? 'submitter' : 'company',
    ...(step.escalate_after_hours ? { escalateAfterHours: step.escalate_after_hours } : {}),
  };
}

/** Steps left out (optional, nobody eligible) leave no gap: the chain is numbered 1..n. */
function renumber(result: StepsResolution): StepsResolution {
  const chain = result.chain.map((s, i) => ({ ...s, step: i + 1 }));
  return { ...result, chain };
}
