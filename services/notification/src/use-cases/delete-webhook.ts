import type { AccessClaims } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import type { NotificationDatabase } from '../db/types.js';
import { findEndpoint } from '../db/webhook-rows.js';

/** Deletes an endpoint and its deliveries (pending ones are never sent). */
export async function deleteWebhook(
  db: Kysely<NotificationDatabase>,
  caller: AccessClaims,
  id: string,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await findEndpoint(trx, caller.company_id, id, true);
    await trx.deleteFrom('webhook_endpoint').where('id', '=', id).execute();
  });
}
