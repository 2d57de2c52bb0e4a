import type { EventType, NotificationKind, WebhookDeliveryStatus } from '@countersign/contracts';
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

export interface NotificationDatabase extends MessagingTables, AuditTables {
  notification: NotificationTable;
  webhook_endpoint: WebhookEndpointTable;
  webhook_event: WebhookEventTable;
  webhook_delivery: WebhookDeliveryTable;
}
