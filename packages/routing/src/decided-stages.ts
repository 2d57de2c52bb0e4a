import type { ChainStep, PolicyStep } from '@countersign/contracts';

/**
 * A decided chain (the seats of a routing decision or event) as the policy steps it was
 * decided with, one per stage, and the approvers chosen for each stage. A seat without a
 * rule is by level (chains decided before rules); without a stage it is its own stage.
 * A parallel stage asks as many seats as were decided: a one-of stage may have found fewer
 * than its policy's count, and re-checking never asks more than were shown at submit.
 */
export function decidedStages(chain: readonly ChainStep[]): {
  steps: PolicyStep[];
  preferred: Map<number, string[]>;
} {
  const byStage = new Map<number, ChainStep[]>();
  for (const seat of [...chain].sort((a, b) => a.step - b.step)) {
    const stage = seat.stage ?? seat.step;
    byStage.set(stage, [...(byStage.get(stage) ?? []), seat]);
  }
  const steps: PolicyStep[] = [];
  const preferred = new Map<number, string[]>();
  for (const seats of [...byStage.entries()].sort(([a], [b]) => a - b).map(([, s]) => s)) {
    const [first] = seats;
    if (!first) continue;
    const needs = first.needs ?? 'one';
    steps.push({
      approver: first.approver_rule ?? {
        by: 'level',
        level: first.required_level,
        scope: first.team_scope === 'company' ? 'company' : 'submitter_team',
      },
      required: first.required,
      ...(first.escalate_after_hours ? { escalate_after_hours: first.escalate_after_hours } : {}),
      ...(first.escalate_to ? { escalate_to: first.escalate_to } : {}),
      ...(seats.length > 1 || needs === 'all' ? { parallel: { count: seats.length, needs } } : {}),
    });
    preferred.set(
      steps.length,
      seats.map((s) => s.approver_id),
    );
  }
  return { steps, preferred };
}
