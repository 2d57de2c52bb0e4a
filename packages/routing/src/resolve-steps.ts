import type {
  ParallelApprovers,
  PolicyStep,
  StepApprover,
  StepNeeds,
} from '@countersign/contracts';
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
  /** Every approver chosen for the step (several for a parallel step). */
  approver_ids: string[];
  parallel?: ParallelApprovers;
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
 * The people who may hold a step of this rule, best first, given those already in the
 * chain (`used`). Re-routing asks it too, so a replacement satisfies the step's own rule.
 */
export function eligibleFor(
  approver: StepApprover,
  submitter: Submitter,
  people: readonly Person[],
  used: ReadonlySet<string>,
): Person[] {
  return rank(approver, submitter, people, used).eligible;
}

/**
 * Whether `person` may still hold a step of this rule: a level or role step asks only the
 * rule; a named-user step accepts the user or anyone up their reporting line.
 */
export function mayHold(
  approver: StepApprover,
  person: Person,
  submitter: Submitter,
  people: readonly Person[],
  used: ReadonlySet<string>,
): boolean {
  if (generalBar(person, submitter, used)) return false;
  if (approver.by === 'level') {
    const scope: TeamScope = approver.scope === 'company' ? 'company' : 'submitter';
    return levelBar(person, approver.level, scope, submitter) === undefined;
  }
  if (approver.by === 'role') return person.role === approver.role;
  return reportingLineOf(approver.user_id, people).includes(person.id);
}

/** The named user, their manager, that manager's manager, … (ids, cycles cut). */
function reportingLineOf(userId: string, people: readonly Person[]): string[] {
  const byId = new Map(people.map((p) => [p.id, p]));
  const line: string[] = [];
  let current: string | null | undefined = userId;
  while (current && !line.includes(current)) {
    line.push(current);
    current = byId.get(current)?.managerId;
  }
  return line;
}

/** How many seats a step has, and whether one or all of them must approve. */
function seatsOf(step: PolicyStep): { count: number; needs: StepNeeds } {
  return step.parallel ?? { count: 1, needs: 'one' };
}

/**
 * The seats of one step: the approvers chosen earlier (`wanted`) who are still eligible keep
 * their seat, a seat whose approver is not is handed to the next eligible person, and free
 * seats (none chosen earlier) are filled in rank order. An all-of step with fewer eligible
 * people than seats gets nobody.
 */
function chooseSeats(
  eligible: readonly Person[],
  wanted: readonly string[],
  { count, needs }: { count: number; needs: StepNeeds },
): { seats: { person: Person; replaced?: string }[]; short: boolean } {
  const wantedSet = new Set(wanted);
  const spare = eligible.filter((p) => !wantedSet.has(p.id));
  const seats: { person: Person; replaced?: string }[] = [];
  for (const id of wanted.slice(0, count)) {
    const kept = eligible.find((p) => p.id === id);
    const person = kept ?? spare.shift();
    if (person) seats.push(kept ? { person } : { person, replaced: id });
  }
  while (seats.length < count && spare.length > 0) {
    const person = spare.shift();
    if (person) seats.push({ person });
  }
  if (needs === 'all' && seats.length < count) return { seats: [], short: true };
  return { seats, short: false };
}

function refusal(order: number, step: PolicyStep, found: number): UnprocessableError {
  const { count, needs } = seatsOf(step);
  const wanted =
    needs === 'all' && count > 1
      ? `${count} approvers (all must approve), each ${describeStep(step.approver)}, and there ${found === 1 ? 'is' : 'are'} only ${found}`
      : `${describeStep(step.approver)}, and there is none`;
  return new UnprocessableError(`step ${order} needs ${wanted}`, 'no-eligible-approver');
}

/**
 * Resolves each step to its approvers (one, or up to `parallel.count` for a parallel step)
 * and explains every candidate considered. Nobody ever approves their own expense and
 * nobody appears twice. A required step that cannot be filled (nobody, or fewer people than
 * an all-of step needs) refuses the expense; an optional one is left out of the chain.
 * Each approver is a seat with its own step number; the seats of one policy step share a
 * stage, numbered 1..k after the steps left out. `preferred` re-validates an earlier
 * choice (the approvers chosen at submission), by stage.
 */
export function resolveSteps(
  steps: readonly PolicyStep[],
  submitter: Submitter,
  people: readonly Person[],
  preferred: ReadonlyMap<number, readonly string[]> = new Map(),
): StepsResolution {
  const used = new Set<string>();
  const result: StepsResolution = { chain: [], steps: [], adjustments: [] };
  steps.forEach((step, index) => {
    const order = index + 1;
    const { eligible, traces } = rank(step.approver, submitter, people, used);
    const wanted = preferred.get(order) ?? [];
    const { seats, short } = chooseSeats(eligible, wanted, seatsOf(step));
    const chosen = new Set(seats.map((s) => s.person.id));
    const candidates = [
      ...eligible.map((p) => ({
        person_id: p.id,
        name: p.name,
        chosen: chosen.has(p.id),
        reason: chosen.has(p.id)
          ? wanted.includes(p.id)
            ? 'chosen at submission and still eligible'
            : 'first eligible in order'
          : short
            ? 'eligible, but too few people are eligible for every seat of the step'
            : 'eligible, but ranked after the chosen approver',
      })),
      ...traces,
    ];
    result.steps.push({
      step: order,
      approver: step.approver,
      required: step.required,
      approver_id: seats[0]?.person.id ?? null,
      approver_ids: seats.map((s) => s.person.id),
      ...(step.parallel ? { parallel: step.parallel } : {}),
      candidates,
    });
    if (seats.length === 0) {
      if (!step.required) return;
      throw refusal(order, step, eligible.length);
    }
    const stage = new Set(result.chain.map((s) => s.stage)).size + 1;
    for (const seat of seats) {
      used.add(seat.person.id);
      const resolved = toResolved(result.chain.length + 1, stage, step, seat.person);
      result.chain.push(resolved);
      if (seat.replaced !== undefined) {
        result.adjustments.push({
          step: resolved.step,
          previousApproverId: seat.replaced,
          approverId: seat.person.id,
          reason: 'the approver chosen at submission is no longer eligible',
        });
      }
    }
  });
  return result;
}

function toResolved(seat: number, stage: number, step: PolicyStep, approver: Person): ResolvedStep {
  const a = step.approver;
  return {
    step: seat,
    stage,
    needs: seatsOf(step).needs,
    rule: a,
    approverId: approver.id,
    approverName: approver.name,
    levelNumber: approver.levelNumber,
    levelName: approver.levelName,
    required: step.required,
    // Kept for escalation and for readers of the older columns: re-routing uses `rule`.
    requiredLevel: a.by === 'level' ? a.level : approver.levelNumber,
    teamScope: a.by === 'level' && a.scope === 'submitter_team' ? 'submitter' : 'company',
    ...(step.escalate_after_hours ? { escalateAfterHours: step.escalate_after_hours } : {}),
    ...(step.escalate_to ? { escalateTo: step.escalate_to } : {}),
  };
}
