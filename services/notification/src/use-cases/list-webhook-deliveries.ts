import type { AccessClaims, PageQuery, WebhookDeliveryPage } from '@countersign/contracts';
import { decodeCursor, toPage } from '@countersign/platform';
import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import type { NotificationDatabase } from '../db/types.js';
import { findEndpoint, selectDeliveries, toDelivery } from '../db/webhook-rows.js';

const Cursor = z.object({ created_at: z.iso.datetime(), id: z.uuid() });

/** An endpoint's deliveries, newest first. */
export async function listWebhookDeliveries(
  db: Kysely<NotificationDatabase>,
  caller: AccessClaims,
  webhookId: string,
  query: PageQuery,
): Promise<WebhookDeliveryPage> {
  await findEndpoint(db, caller.company_id, webhookId);
  const before = decodeCursor(Cursor, query.cursor);
  let select = selectDeliveries(db).where('d.endpoint_id', '=', webhookId);
  if (before) {
    select = select.where(
      sql<boolean>`(d.created_at, d.id) < (${new Date(before.created_at)}, ${before.id})`,
    );
  }
  const rows = await select
    .orderBy('d.created_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(query.limit + 1)
    .execute();
  return toPage(rows, query.limit, toDelivery, (row) => ({
    created_at: row.created_at.toISOString(),
    id: row.id,
  }));
}
