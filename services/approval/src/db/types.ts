import type { Role, StepApprover, StepNeeds } from '@countersign/contracts';
import type { AuditTables, MessagingTables } from '@countersign/platform';
import type { ColumnType, Generated } from 'kysely';
import type { ChainStatus, StepStatus } from '../domain/decide.js';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export interface CompanyTable {
  id: string;
  name: string;
}
export interface TeamTable {
  id: string;
  company_id: string;
  name: string;
}
export interface LevelTable {
  id: string;
  company_id: string;
  number: number;
  name: string;
}
export interface PersonTable {
  id: string;
  company_id: string;
  team_id: string;
  level_id: string;
  name: string;
  email: string;
  active: boolean;
  role: Generated<Role>;
  manager_id: string | null;
  revision: Generated<number>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  deactivated_at: Date | null;
}
export interface PolicyTable {
  id: string;
  company_id: string;
  category: string;
  name: string;
  /** Legacy amount band, superseded by the rules of policy_version. */
  min_amount: Generated<string>;
  max_amount: Generated<string | null>;
  active: boolean;
  current_version: Generated<number>;
}
/** Immutable: editing a policy adds a version; expenses keep the one they were routed by. */
export interface PolicyVersionTable {
  policy_id: string;
  version: number;
  rules: ColumnType<unknown, string, never>;
  created_at: Generated<Date>;
  created_by: string | null;
}
export interface PolicyStepTable {
  policy_id: string;
  step_order: number;
  required_level: number;
  team_scope: 'submitter' | 'company';
  required: boolean;
  description: string | null;
}
export interface ChainTable {
  expense_id: string;
  company_id: string;
  submitter_id: string;
  submitter_name: string;
  policy_id: string;
  policy_name: string;
  amount: string;
  description: string;
  status: ChainStatus;
  created_at: Generated<Date>;
  completed_at: Date | null;
  /** 1 at submit, one more per resubmission after a send back. */
  round: Generated<number>;
  policy_version: number | null;
  category: string | null;
  submitter_team_id: string | null;
  workspace_id: string | null;
  flags: ColumnType<unknown, string | null, string | null>;
  explanation: ColumnType<unknown, string | null, string | null>;
}
export interface ChainStepTable {
  expense_id: string;
  step: number;
  approver_id: string;
  approver_name: string;
  level_number: number;
  level_name: string;
  required: boolean;
  required_level: number;
  team_scope: 'submitter' | 'company';
  status: StepStatus;
  requested_at: Timestamp | null;
  decided_at: Date | null;
  comments: string | null;
  assignment: Generated<number>;
  /** The step's own id: seed 002's approval_id. Each round's steps get new ones. */
  id: Generated<string>;
  decided_by: Generated<string | null>;
  /** The step's own escalation deadline in hours; null: the company-wide setting. */
  escalate_after_hours: number | null;
  /** Who takes the step first when it is overdue; null: one level up. */
  escalate_to: string | null;
  /** The policy step (1..k) this approver seat belongs to; its seats are asked together. */
  stage: number;
  /** `one`: the first approval settles the stage; `all`: every seat must approve. */
  needs: StepNeeds;
  /** The step's rule as the policy named it (backfilled as a level rule for older rows). */
  approver_rule: ColumnType<StepApprover, string, string>;
}

export interface DelegationTable {
  id: string;
  company_id: string;
  delegator_id: string;
  delegate_id: string;
  /** `YYYY-MM-DD`; read it back with to_char (pg would make a local-time Date of it). */
  starts_on: ColumnType<string, string, string>;
  ends_on: ColumnType<string, string, string>;
  max_amount: string | null;
  categories: string[] | null;
  created_at: Date;
  revoked_at: Date | null;
  revoked_by: string | null;
}
export interface StepDeadlineTable {
  expense_id: string;
  step: number;
  approver_id: string;
  company_id: string;
  due_at: Date;
  state: Generated<'open' | 'escalated' | 'settled' | 'exhausted'>;
  closed_at: Date | null;
}

/** Tables are unqualified: the Kysely instance is bound to the `approval` schema. */
export interface ApprovalDatabase extends MessagingTables, AuditTables {
  company: CompanyTable;
  team: TeamTable;
  level: LevelTable;
  person: PersonTable;
  policy: PolicyTable;
  policy_step: PolicyStepTable;
  policy_version: PolicyVersionTable;
  chain: ChainTable;
  chain_step: ChainStepTable;
  delegation: DelegationTable;
  step_deadline: StepDeadlineTable;
}
