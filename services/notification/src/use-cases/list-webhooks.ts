import type { AccessClaims, WebhookList } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import type { NotificationDatabase } from '../db/types.js';
import { toWebhook } from '../db/webhook-rows.js';

/** The caller's company's endpoints, oldest first. */
export async function listWebhooks(
  db: Kysely<NotificationDatabase>,
  caller: AccessClaims,
): Promise<WebhookList> {
  const rows = await db
    .selectFrom('webhook_endpoint')
    .selectAll()
    .where('company_id', '=', caller.company_id)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return { items: rows.map(toWebhook) };
}
