import type {
  ExpenseSource,
  ExpenseStatus,
  ReceiptExtraction,
  ReceiptMediaType,
  ReceiptMismatch,
  ReceiptOcrFailure,
  ReceiptOcrStatus,
  Role,
  WorkspaceRole,
} from '@countersign/contracts';
import type { AuditTables, MessagingTables } from '@countersign/platform';
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

export interface ExpenseTable {
  id: string;
  company_id: string;
  submitter_id: string;
  submitter_name: string;
  /** Null only while a draft: routing picks the policy at submit. */
  policy_id: string | null;
  policy_name: string | null;
  /** Null only for a draft that names a policy and no category. */
  category: string | null;
  amount: string;
  description: string;
  status: ExpenseStatus;
  refusal_reason: string | null;
  submitted_at: Date;
  completed_at: Date | null;
  workspace_id: string | null;
  /** 1 at submit, one more per resubmission after a send back. */
  round: number;
  /** The policy the submitter asked for; null routes by category and amount. */
  requested_policy_id: string | null;
  flags: string[] | null;
  /** Added with currencies: the amount in its own currency; `amount` is the base amount. */
  currency: Generated<string>;
  original_amount: string;
  base_currency: Generated<string>;
  exchange_rate: Generated<string>;
  /** The effective date of the rate used; null when no conversion was needed. */
  rate_date: ColumnType<Date | null, string | null, string | null>;
  /** `date` columns are read as a Date at local midnight (pg's parser): see `dayOf`. */
  spend_date: ColumnType<Date, string, string>;
  vendor: string | null;
  source: Generated<ExpenseSource>;
  /** Soft delete: set together; a deleted expense is hidden everywhere but the admins' list. */
  deleted_at: Generated<Date | null>;
  deleted_by: Generated<string | null>;
  /** Set together when finance pays the expense (status `paid`). */
  payout_id: Generated<string | null>;
  paid_at: Generated<Date | null>;
  paid_by: Generated<string | null>;
}

export interface PayoutTable {
  id: string;
  company_id: string;
  /** Finance's own payment run reference; unique in the company when given. */
  reference: string | null;
  created_by: string;
  created_at: Date;
}

export interface CompanyCurrencyTable {
  company_id: string;
  base_currency: string;
  changed_at: Generated<Date>;
}

export interface ExchangeRateTable {
  id: string;
  company_id: string;
  currency: string;
  base_currency: string;
  effective_on: ColumnType<Date, string, never>;
  rate: string;
  created_by: string;
  created_at: Date;
}

export type CatalogKind = 'category' | 'vendor';

export interface CatalogEntryTable {
  id: string;
  company_id: string;
  kind: CatalogKind;
  name: string;
  archived: Generated<boolean>;
  created_at: Date;
  updated_at: Date;
}

/** An expense as read from the table, and as inserted. */
export type ExpenseRow = Selectable<ExpenseTable>;
export type NewExpense = Insertable<ExpenseTable>;

/** The expense's copy of its approval chain, kept current from approval events. */
export interface ExpenseStepTable {
  expense_id: string;
  step: number;
  approver_id: string;
  approver_name: string;
  level_name: string;
  required: boolean;
  status: 'pending' | 'approved' | 'rejected' | 'skipped' | 'sent_back';
  decided_at: Date | null;
  comments: string | null;
  updated_at: Generated<Date>;
  assignment: Generated<number>;
  decided_by: Generated<string | null>;
  /** The stage (policy step) of the seat; its seats are asked together. */
  stage: number;
  /** `one`: the first approval settles the stage; `all`: every seat must approve. */
  needs: Generated<'one' | 'all'>;
  /** When the seat was first asked; null for seats stored before this was kept. */
  requested_at: Generated<Date | null>;
}

/** The expense service's copy of one directory person: the highest revision seen wins. */
export interface PersonTable {
  id: string;
  company_id: string;
  name: string;
  email: string;
  role: Role;
  team_id: string;
  active: boolean;
  revision: number;
  /** Added for routing; null on rows written before, until a snapshot fills them. */
  level_id: string | null;
  manager_id: string | null;
}

/** The approval service's levels, for routing from the copy. */
export interface RoutingLevelTable {
  id: string;
  company_id: string;
  number: number;
  name: string;
  as_of: Date;
}

/** Each policy at the newest version seen (RoutingSnapshotTaken and the policy events). */
export interface RoutingPolicyTable {
  id: string;
  company_id: string;
  name: string;
  category: string;
  active: boolean;
  version: number;
  rules: unknown;
}

/** A company whose routing copy is whole (a snapshot arrived); `requested_at`: asked for one. */
export interface RoutingCompanyTable {
  company_id: string;
  snapshot_taken_at: Date | null;
  requested_at: Date | null;
}

export interface WorkspaceTable {
  id: string;
  company_id: string;
  name: string;
  description: string | null;
  created_by: string;
  created_at: Date;
}

export interface WorkspaceMemberTable {
  workspace_id: string;
  user_id: string;
  role: WorkspaceRole;
  added_at: Date;
}

export interface ReceiptTable {
  id: string;
  company_id: string;
  expense_id: string;
  file_name: string | null;
  media_type: ReceiptMediaType;
  size_bytes: number;
  sha256: string;
  storage_key: string;
  uploaded_by: string;
  uploaded_at: Date;
  /** The expense whose receipt had the same SHA-256 when this one was uploaded. */
  duplicate_of: string | null;
  ocr_status: ReceiptOcrStatus;
  ocr_claimed_until: Date | null;
  ocr_attempts: Generated<number>;
  ocr_text: string | null;
  ocr_result: ColumnType<ReceiptExtraction | null, string | null, string | null>;
  ocr_confidence: number | null;
  processed_at: Date | null;
  verified: Generated<boolean>;
  mismatches: ColumnType<ReceiptMismatch[], string | undefined, string>;
  /** Why OCR gave up on the receipt (`failed` only). */
  ocr_failure: ColumnType<
    ReceiptOcrFailure | null,
    ReceiptOcrFailure | null | undefined,
    ReceiptOcrFailure | null
  >;
}

/** Per company: the bytes its receipts hold (the quota) and its last turn in the OCR queue. */
export interface ReceiptCompanyTable {
  company_id: string;
  /** bigint: pg returns it as a string. */
  stored_bytes: ColumnType<string, number | string, number | string>;
  ocr_turn: ColumnType<string | null, never, string | null>;
}

export type ReceiptRow = Selectable<ReceiptTable>;

export interface ExpenseDatabase extends MessagingTables, AuditTables {
  receipt: ReceiptTable;
  receipt_company: ReceiptCompanyTable;
  expense: ExpenseTable;
  expense_step: ExpenseStepTable;
  person: PersonTable;
  routing_level: RoutingLevelTable;
  routing_policy: RoutingPolicyTable;
  routing_company: RoutingCompanyTable;
  workspace: WorkspaceTable;
  workspace_member: WorkspaceMemberTable;
  company_currency: CompanyCurrencyTable;
  exchange_rate: ExchangeRateTable;
  catalog_entry: CatalogEntryTable;
  payout: PayoutTable;
}
