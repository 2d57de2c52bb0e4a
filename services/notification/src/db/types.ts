import type { EmailDelivery, NotificationKind, Role } from '@countersign/contracts';
import type { MailOutboxTables, MessagingTables } from '@countersign/platform';
import type { ColumnType, Generated } from 'kysely';

export interface NotificationTable {
  id: string;
  company_id: string;
  recipient_id: string;
  kind: NotificationKind;
  /** Null for notifications about no expense (a delegation granted). */
  expense_id: string | null;
  message: string;
  source_event_id: string;
  created_at: Generated<Date>;
  read_at: Date | null;
}

/** A directory person as of the highest snapshot revision seen. */
export interface PersonTable {
  user_id: string;
  company_id: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
  revision: number;
}

export interface NotificationPreferenceTable {
  user_id: string;
  kind: NotificationKind;
  company_id: string;
  in_app: boolean;
  email: EmailDelivery;
  updated_at: Generated<Date>;
}

export interface DigestSentTable {
  user_id: string;
  /** The UTC day, as YYYY-MM-DD. */
  day: ColumnType<Date, string, never>;
  pending_count: number;
  created_at: Generated<Date>;
}

export interface PendingApprovalTable {
  expense_id: string;
  round: number;
  step: number;
  company_id: string;
  approver_id: string;
  submitter_name: string;
  description: string;
  amount: string;
  requested_at: Date;
}

export interface SettledApprovalTable {
  expense_id: string;
  round: number;
  /** 0: the whole round closed (approved, rejected, sent back, withdrawn). */
  step: number;
  settled_at: Generated<Date>;
}

export interface NotificationDatabase extends MessagingTables, MailOutboxTables {
  notification: NotificationTable;
  person: PersonTable;
  notification_preference: NotificationPreferenceTable;
  digest_sent: DigestSentTable;
  pending_approval: PendingApprovalTable;
  settled_approval: SettledApprovalTable;
}
