import type { AccessClaims, CreatedWebhook, CreateWebhookRequest } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { NotificationDatabase } from '../db/types.js';
import { toWebhook } from '../db/webhook-rows.js';
import { webhookAuditView } from '../domain/webhook-audit-view.js';
import { newWebhookSecret } from '../domain/webhook-secret.js';
import type { WebhookUrlCheck } from '../outbound/check-webhook-url.js';
import { recordAudit } from '../outbox/audit.js';

export interface WebhookWriteDeps {
  db: Kysely<NotificationDatabase>;
  checkUrl: WebhookUrlCheck;
  now: () => Date;
}

/** Registers an endpoint for the caller's company; its secret is shown in this answer only. */
export async function createWebhook(
  deps: WebhookWriteDeps,
  caller: AccessClaims,
  input: CreateWebhookRequest,
): Promise<CreatedWebhook> {
  const url = await deps.checkUrl(input.url);
  const now = deps.now();
  const row = await deps.db.transaction().execute(async (trx) => {
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
