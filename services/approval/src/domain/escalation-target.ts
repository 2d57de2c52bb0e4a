import type { Person } from '@countersign/routing';
import { byNearestLevel, isEligible, type Submitter } from '@countersign/routing';

export interface OverdueStep {
  approverId: string;
  /** The level the current approver holds (1 is the most senior). */
  levelNumber: number;
  teamScope: 'submitter' | 'company';
  /** The person the policy step names to take it when overdue, tried first. */
  fallbackId?: string;
}

export type EscalationTarget =
  | { kind: 'fallback'; person: Person }
  | { kind: 'senior'; person: Person }
  | { kind: 'admin'; person: Person }
  | { kind: 'nobody' };

/** Admins, most senior first, then by name: the last resort. */
function byAdminPreference(a: Person, b: Person): number {
  return a.levelNumber - b.levelNumber || a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
}

/**
 * Who takes an overdue step: the person its policy step names as fallback, when they may
 * hold it (active, not the submitter, not already in the chain); else the nearest person strictly more senior than its approver, in
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
  const used = new Set([...chainApproverIds, step.approverId]);
  const fallback = people.find((p) => p.id === step.fallbackId);
  if (fallback?.active && fallback.id !== submitter.id && !used.has(fallback.id)) {
    return { kind: 'fallback', person: fallback };
  }
  // The routing rule itself, asked for a level strictly above the current approver's: the
  // nearest such level comes first, so the step climbs one level at a time.
  const oneLevelUp = { requiredLevel: step.levelNumber - 1, teamScope: step.teamScope };
  const senior = people
    .filter((p) => isEligible(p, oneLevelUp, submitter, used))
    .sort(byNearestLevel)[0];
  if (senior) return { kind: 'senior', person: senior };
  const admin = people
    .filter((p) => adminIds.has(p.id) && p.active && p.id !== submitter.id && !used.has(p.id))
    .sort(byAdminPreference)[0];
  return admin ? { kind: 'admin', person: admin } : { kind: 'nobody' };
}
