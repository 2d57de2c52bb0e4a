import type { AccessClaims } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import type { NotificationDatabase } from '../db/types.js';
import { findEndpoint, toWebhook } from '../db/webhook-rows.js';
import { webhookAuditView } from '../domain/webhook-audit-view.js';
import { recordAudit } from '../outbox/audit.js';

/** Deletes an endpoint and its deliveries (pending ones are never sent). */
export async function deleteWebhook(
  db: Kysely<NotificationDatabase>,
  caller: AccessClaims,
  id: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await findEndpoint(trx, caller.company_id, id, true);
    await trx.deleteFrom('webhook_endpoint').where('id', '=', id).execute();
    await recordAudit(trx, {
      companyId: caller.company_id,
      actor: { kind: 'user', id: caller.sub },
      action: 'webhook.deleted',
      entity: { type: 'webhook', id },
      before: webhookAuditView(toWebhook(before)),
    });
  });
}
