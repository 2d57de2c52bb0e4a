import type { Role } from '@countersign/contracts';

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
  };
}
