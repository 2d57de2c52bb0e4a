import type { AccessClaims, CreatedWebhook, CreateWebhookRequest } from '@countersign/contracts';
import { DomainError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { NotificationDatabase } from '../db/types.js';
import { countCompanyEndpoints, lockCompanyWebhookLimits } from '../db/webhook-limit-queries.js';
import { toWebhook } from '../db/webhook-rows.js';
import { webhookAuditView } from '../domain/webhook-audit-view.js';
import { endpointCapVerdict, type WebhookLimits } from '../domain/webhook-limits.js';
import { newWebhookSecret } from '../domain/webhook-secret.js';
import type { WebhookUrlCheck } from '../outbound/check-webhook-url.js';
import { recordAudit } from '../outbox/audit.js';

export interface WebhookWriteDeps {
  db: Kysely<NotificationDatabase>;
  checkUrl: WebhookUrlCheck;
  limits: Pick<WebhookLimits, 'maxEndpointsPerCompany'>;
  now: () => Date;
}

/**
 * Registers an endpoint for the caller's company; its secret is shown in this answer only.
 * A company has at most `maxEndpointsPerCompany` (each one multiplies every event's work);
 * the count is taken under the company's lock, so two registrations at the cap cannot
 * both pass.
 */
export async function createWebhook(
  deps: WebhookWriteDeps,
  caller: AccessClaims,
  input: CreateWebhookRequest,
): Promise<CreatedWebhook> {
  const url = await deps.checkUrl(input.url);
  const now = deps.now();
  const row = await deps.db.transaction().execute(async (trx) => {
    await lockCompanyWebhookLimits(trx, caller.company_id);
    const cap = endpointCapVerdict(
      await countCompanyEndpoints(trx, caller.company_id),
      deps.limits.maxEndpointsPerCompany,
    );
    if (!cap.ok) {
      throw new DomainError('conflict', 'webhook-limit-reached', cap.detail, {
        title: 'Webhook limit reached',
        extensions: { limit: deps.limits.maxEndpointsPerCompany },
      });
    }
    const stored = await trx
      .insertInto('webhook_endpoint')
      .values({
        id: uuidv7(),
        company_id: caller.company_id,
        url,
        event_types: input.event_types,
        description: input.description ?? '',
        active: true,
        secret: newWebhookSecret(),
        previous_secret: null,
        previous_secret_expires_at: null,
        created_by: caller.sub,
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    // The secret never enters the trail: the entry shows the endpoint as its readers see it.
    await recordAudit(trx, {
      companyId: caller.company_id,
      actor: { kind: 'user', id: caller.sub },
      action: 'webhook.created',
      entity: { type: 'webhook', id: stored.id },
      after: webhookAuditView(toWebhook(stored)),
    });
    return stored;
  });
  return { ...toWebhook(row), secret: row.secret };
}
