import type { AccessClaims, Webhook } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import type { NotificationDatabase } from '../db/types.js';
import { findEndpoint, toWebhook } from '../db/webhook-rows.js';

export async function getWebhook(
  db: Kysely<NotificationDatabase>,
  caller: AccessClaims,
  id: string,
): Promise<Webhook> {
  return toWebhook(await findEndpoint(db, caller.company_id, id));
}
