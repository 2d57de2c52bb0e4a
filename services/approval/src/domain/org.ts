export type TeamScope = 'submitter' | 'company';

export interface Person {
  id: string;
  name: string;
  teamId: string;
  levelNumber: number;
  levelName: string;
  active: boolean;
}

export interface PolicyStep {
  order: number;
  requiredLevel: number;
  teamScope: TeamScope;
  required: boolean;
}

export interface Policy {
  id: string;
  name: string;
  category: string;
  minAmount: string;
  maxAmount: string | null;
  active: boolean;
  steps: PolicyStep[];
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
}
