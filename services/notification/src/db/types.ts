import type { NotificationKind } from '@countersign/contracts';
import type { AuditTables, MessagingTables } from '@countersign/platform';
import type { Generated } from 'kysely';

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

export interface NotificationDatabase extends MessagingTables, AuditTables {
  notification: NotificationTable;
}
