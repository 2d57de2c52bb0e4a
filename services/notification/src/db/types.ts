import type {
  EmailDelivery,
  EventType,
  NotificationKind,
  Role,
  WebhookDeliveryStatus,
} from '@countersign/contracts';
import type { AuditTables, MailOutboxTables, MessagingTables } from '@countersign/platform';
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

export interface WebhookEndpointTable {
  id: string;
  company_id: string;
  url: string;
  event_types: EventType[];
  description: string;
  active: boolean;
  secret: string;
  previous_secret: string | null;
  previous_secret_expires_at: Date | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  /** While a delivery to it is being attempted: when that claim's lease ends. */
  in_flight_until: Generated<Date | null>;
  /** The claim that holds the endpoint; only it frees the endpoint. */
  in_flight_claim: Generated<string | null>;
}

export interface WebhookEventTable {
  event_id: string;
  company_id: string;
  type: EventType;
  /** The envelope's JSON exactly as sent (signatures cover these bytes). */
  payload: string;
  occurred_at: Date;
}

export interface WebhookDeliveryTable {
  id: string;
  endpoint_id: string;
  event_id: string;
  redelivery_of: string | null;
  status: WebhookDeliveryStatus;
  attempts: Generated<number>;
  last_error: string | null;
  last_response_code: number | null;
  last_attempt_at: Date | null;
  /** While pending: when it is due (or, while an attempt runs, when its lease ends). */
  next_attempt_at: Date | null;
  delivered_at: Date | null;
  created_at: Date;
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

export interface NotificationDatabase extends MessagingTables, AuditTables, MailOutboxTables {
  notification: NotificationTable;
  webhook_endpoint: WebhookEndpointTable;
  webhook_event: WebhookEventTable;
  webhook_delivery: WebhookDeliveryTable;
  person: PersonTable;
  notification_preference: NotificationPreferenceTable;
  digest_sent: DigestSentTable;
  pending_approval: PendingApprovalTable;
  settled_approval: SettledApprovalTable;
}
