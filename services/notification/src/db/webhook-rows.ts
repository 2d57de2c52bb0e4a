import type { Webhook, WebhookDelivery } from '@countersign/contracts';
import { NotFoundError } from '@countersign/platform';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { NotificationDatabase, WebhookDeliveryTable, WebhookEndpointTable } from './types.js';

type Db = Kysely<NotificationDatabase> | Transaction<NotificationDatabase>;

/** An endpoint as the API shows it: never its secrets. */
export function toWebhook(row: Selectable<WebhookEndpointTable>): Webhook {
  return {
    id: row.id,
    url: row.url,
    event_types: row.event_types,
    description: row.description,
    active: row.active,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
    previous_secret_expires_at: row.previous_secret_expires_at?.toISOString() ?? null,
  };
}

export type DeliveryRow = Selectable<WebhookDeliveryTable> & {
  event_type: WebhookDelivery['event_type'];
};

export function toDelivery(row: DeliveryRow): WebhookDelivery {
  return {
    id: row.id,
    webhook_id: row.endpoint_id,
    event_id: row.event_id,
    event_type: row.event_type,
    status: row.status,
    attempts: row.attempts,
    last_error: row.last_error,
    last_response_code: row.last_response_code,
    last_attempt_at: row.last_attempt_at?.toISOString() ?? null,
    next_attempt_at: row.status === 'pending' ? (row.next_attempt_at?.toISOString() ?? null) : null,
    delivered_at: row.delivered_at?.toISOString() ?? null,
    redelivery_of: row.redelivery_of,
    created_at: row.created_at.toISOString(),
  };
}

/** The company's endpoint, locked when `forUpdate`; another company's is not found. */
export async function findEndpoint(
  db: Db,
  companyId: string,
  id: string,
  forUpdate = false,
): Promise<Selectable<WebhookEndpointTable>> {
  let query = db
    .selectFrom('webhook_endpoint')
    .selectAll()
    .where('id', '=', id)
    .where('company_id', '=', companyId);
  if (forUpdate) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw new NotFoundError(`no webhook ${id} in your company`);
  return row;
}

/** Deliveries with their event's type, for the list and the redeliver answer. */
export function selectDeliveries(db: Db) {
  return db
    .selectFrom('webhook_delivery as d')
    .innerJoin('webhook_event as v', 'v.event_id', 'd.event_id')
    .selectAll('d')
    .select('v.type as event_type');
}
