import type { Person } from './org.js';
import type { Submitter } from './resolve-chain.js';

export interface OverdueStep {
  approverId: string;
  /** The level the current approver holds (1 is the most senior). */
  levelNumber: number;
  teamScope: 'submitter' | 'company';
}

export type EscalationTarget =
  | { kind: 'senior'; person: Person }
  | { kind: 'admin'; person: Person }
  | { kind: 'nobody' };

/** Nearest more senior level first (the next level up), then by name, then id: stable. */
function byNextLevelUp(a: Person, b: Person): number {
  return b.levelNumber - a.levelNumber || a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
}

/** Admins, most senior first, then by name: the last resort. */
function byAdminPreference(a: Person, b: Person): number {
  return a.levelNumber - b.levelNumber || a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
}

/**
 * Who takes an overdue step: the nearest person strictly more senior than its approver, in
 * the step's scope (the submitter's team, or the company), active, never the submitter and
 * never anyone already in the chain. If nobody is more senior, an active admin who is neither;
 * if there is none, nobody (the deadline is then marked exhausted and the step stays put).
 */
export function escalationTarget(
  step: OverdueStep,
  submitter: Submitter,
  chainApproverIds: ReadonlySet<string>,
  people: readonly Person[],
  adminIds: ReadonlySet<string>,
): EscalationTarget {
  const free = (p: Person) =>
    p.active && p.id !== submitter.id && p.id !== step.approverId && !chainApproverIds.has(p.id);
  const senior = people
    .filter(
      (p) =>
        free(p) &&
        p.levelNumber < step.levelNumber &&
        (step.teamScope === 'company' || p.teamId === submitter.teamId),
    )
    .sort(byNextLevelUp)[0];
  if (senior) return { kind: 'senior', person: senior };
  const admin = people.filter((p) => free(p) && adminIds.has(p.id)).sort(byAdminPreference)[0];
  return admin ? { kind: 'admin', person: admin } : { kind: 'nobody' };
}
