import type { AccessClaims, WebhookDelivery } from '@countersign/contracts';
import { ConflictError, NotFoundError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { NotificationDatabase } from '../db/types.js';
import { findEndpoint, selectDeliveries, toDelivery } from '../db/webhook-rows.js';
import { recordAudit } from '../outbox/audit.js';

/**
 * Sends a delivery's event again, as a new delivery with attempts and schedule of its
 * own; the original's record stays as it was. Same `webhook-id`: it is the same message.
 */
export async function redeliverWebhookDelivery(
  deps: { db: Kysely<NotificationDatabase>; now: () => Date },
  caller: AccessClaims,
  webhookId: string,
  deliveryId: string,
): Promise<WebhookDelivery> {
  return deps.db.transaction().execute(async (trx) => {
    const endpoint = await findEndpoint(trx, caller.company_id, webhookId);
    const original = await trx
      .selectFrom('webhook_delivery')
      .select(['id', 'event_id'])
      .where('id', '=', deliveryId)
      .where('endpoint_id', '=', webhookId)
      .executeTakeFirst();
    if (!original) throw new NotFoundError(`no delivery ${deliveryId} of webhook ${webhookId}`);
    if (!endpoint.active) {
      throw new ConflictError('the webhook is inactive: activate it before redelivering');
    }
    const now = deps.now();
    const id = uuidv7();
    await trx
      .insertInto('webhook_delivery')
      .values({
        id,
        endpoint_id: webhookId,
        event_id: original.event_id,
        redelivery_of: original.id,
        status: 'pending',
        last_error: null,
        last_response_code: null,
        last_attempt_at: null,
        next_attempt_at: now,
        delivered_at: null,
        created_at: now,
      })
      .execute();
    await recordAudit(trx, {
      companyId: caller.company_id,
      actor: { kind: 'user', id: caller.sub },
      action: 'webhook.redelivery_requested',
      entity: { type: 'webhook_delivery', id },
      after: { webhook_id: webhookId, redelivery_of: original.id, event_id: original.event_id },
    });
    return toDelivery(await selectDeliveries(trx).where('d.id', '=', id).executeTakeFirstOrThrow());
  });
}
