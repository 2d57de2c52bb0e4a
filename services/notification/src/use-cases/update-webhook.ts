import type { AccessClaims, UpdateWebhookRequest, Webhook } from '@countersign/contracts';
import { findEndpoint, toWebhook } from '../db/webhook-rows.js';
import { webhookAuditView } from '../domain/webhook-audit-view.js';
import { recordAudit } from '../outbox/audit.js';
import type { WebhookWriteDeps } from './create-webhook.js';

/** Changes an endpoint's URL (judged again), event types, description or active flag. */
export async function updateWebhook(
  deps: WebhookWriteDeps,
  caller: AccessClaims,
  id: string,
  input: UpdateWebhookRequest,
): Promise<Webhook> {
  // Found before the URL is judged: another company's id is a 404, not a URL verdict.
  await findEndpoint(deps.db, caller.company_id, id);
  const url = input.url === undefined ? undefined : await deps.checkUrl(input.url);
  return deps.db.transaction().execute(async (trx) => {
    const before = await findEndpoint(trx, caller.company_id, id, true);
    const row = await trx
      .updateTable('webhook_endpoint')
      .set({
        ...(url !== undefined ? { url } : {}),
        ...(input.event_types !== undefined ? { event_types: input.event_types } : {}),
        ...(input.description !== undefined ? { description: input.description } : {}),
        ...(input.active !== undefined ? { active: input.active } : {}),
        updated_at: deps.now(),
      })
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirstOrThrow();
    await recordAudit(trx, {
      companyId: caller.company_id,
      actor: { kind: 'user', id: caller.sub },
      action: 'webhook.changed',
      entity: { type: 'webhook', id },
      before: webhookAuditView(toWebhook(before)),
      after: webhookAuditView(toWebhook(row)),
    });
    return toWebhook(row);
  });
}
