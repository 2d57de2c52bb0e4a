import type { AccessClaims, WebhookDelivery } from '@countersign/contracts';
import { ConflictError, NotFoundError, TooManyRequestsError } from '@countersign/platform';
import type { Kysely, Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { NotificationDatabase } from '../db/types.js';
import { latestRedeliveries, lockCompanyWebhookLimits } from '../db/webhook-limit-queries.js';
import { findEndpoint, selectDeliveries, toDelivery } from '../db/webhook-rows.js';
import { slidingQuotaVerdict, type WebhookLimits } from '../domain/webhook-limits.js';
import { recordAudit } from '../outbox/audit.js';

export interface RedeliverDeps {
  db: Kysely<NotificationDatabase>;
  limits: Pick<
    WebhookLimits,
    'redeliveriesPerEndpoint' | 'redeliveriesPerCompany' | 'redeliveryWindowMs'
  >;
  now: () => Date;
}

/**
 * Sends a delivery's event again, as a new delivery with attempts and schedule of its
 * own; the original's record stays as it was. Same `webhook-id`: it is the same message.
 * Each one is outbound work every company shares, so they are rationed: so many per
 * endpoint and per company within a sliding window (429 with Retry-After beyond it),
 * counted under the company's lock so that concurrent requests cannot overshoot.
 */
export async function redeliverWebhookDelivery(
  deps: RedeliverDeps,
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
    await lockCompanyWebhookLimits(trx, caller.company_id);
    await checkRedeliveryQuotas(trx, deps, caller.company_id, webhookId, now);
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

/** Refuses (429) when the endpoint's or the company's redeliveries fill their window. */
async function checkRedeliveryQuotas(
  trx: Transaction<NotificationDatabase>,
  deps: RedeliverDeps,
  companyId: string,
  endpointId: string,
  now: Date,
): Promise<void> {
  const { redeliveriesPerEndpoint, redeliveriesPerCompany, redeliveryWindowMs } = deps.limits;
  const since = new Date(now.getTime() - redeliveryWindowMs);
  const quotas = [
    {
      scope: { endpointId },
      limit: redeliveriesPerEndpoint,
      what: 'redeliveries of one webhook',
    },
    {
      scope: { companyId },
      limit: redeliveriesPerCompany,
      what: "redeliveries of your company's webhooks",
    },
  ];
  for (const { scope, limit, what } of quotas) {
    const verdict = slidingQuotaVerdict({
      recent: await latestRedeliveries(trx, scope, since, limit),
      limit,
      windowMs: redeliveryWindowMs,
      now,
      what,
    });
    if (!verdict.ok) throw new TooManyRequestsError(verdict.detail, verdict.retryAfterSeconds);
  }
}
