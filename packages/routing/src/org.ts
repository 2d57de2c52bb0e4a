import type { Role, StepApprover, StepNeeds } from '@countersign/contracts';

export type TeamScope = 'submitter' | 'company';

export interface Person {
  id: string;
  name: string;
  teamId: string;
  levelNumber: number;
  levelName: string;
  active: boolean;
  /** Known where routing by role or by named user needs them. */
  role?: Role;
  managerId?: string | null;
}

export interface PolicyStep {
  order: number;
  requiredLevel: number;
  teamScope: TeamScope;
  required: boolean;
}

export interface ResolvedStep {
  step: number;
  approverId: string;
  approverName: string;
  levelNumber: number;
  levelName: string;
  required: boolean;
  requiredLevel: number;
  teamScope: TeamScope;
  /** The step's own escalation deadline, when its policy step names one. */
  escalateAfterHours?: number;
  /** Who takes the step first when it is overdue, when its policy step names someone. */
  escalateTo?: string;
  /**
   * The policy step this approver seat belongs to, numbered 1..k after optional steps left
   * out; the seats of one stage are asked together.
   */
  stage: number;
  /** Whether one or all of the stage's seats must approve. */
  needs: StepNeeds;
  /** The step's rule as the policy names it: re-routing finds a replacement by it. */
  rule: StepApprover;
}

/** The rule of a step stored before rules were kept: its level and scope. */
export function levelRule(requiredLevel: number, teamScope: TeamScope): StepApprover {
  return {
    by: 'level',
    level: requiredLevel,
    scope: teamScope === 'company' ? 'company' : 'submitter_team',
  };
}

/** A resolved step as the contracts carry it (routing decisions and ExpenseRouted). */
export function toChainStep(s: ResolvedStep) {
  return {
    step: s.step,
    approver_id: s.approverId,
    approver_name: s.approverName,
    level_number: s.levelNumber,
    level_name: s.levelName,
    required: s.required,
    required_level: s.requiredLevel,
    team_scope: s.teamScope,
    ...(s.escalateAfterHours ? { escalate_after_hours: s.escalateAfterHours } : {}),
    ...(s.escalateTo ? { escalate_to: s.escalateTo } : {}),
    approver_rule: s.rule,
    stage: s.stage,
    needs: s.needs,
  };
}
