import { webhookRoutes } from '@countersign/contracts';
import type { ServeRoute } from '@countersign/platform';
import type { Kysely } from 'kysely';
import type { NotificationDatabase } from '../db/types.js';
import type { WebhookLimits } from '../domain/webhook-limits.js';
import type { WebhookUrlCheck } from '../outbound/check-webhook-url.js';
import { createWebhook } from '../use-cases/create-webhook.js';
import { deleteWebhook } from '../use-cases/delete-webhook.js';
import { getWebhook } from '../use-cases/get-webhook.js';
import { listWebhookDeliveries } from '../use-cases/list-webhook-deliveries.js';
import { listWebhooks } from '../use-cases/list-webhooks.js';
import { redeliverWebhookDelivery } from '../use-cases/redeliver-webhook-delivery.js';
import { rotateWebhookSecret } from '../use-cases/rotate-webhook-secret.js';
import { updateWebhook } from '../use-cases/update-webhook.js';

export interface WebhookRouteDeps {
  db: Kysely<NotificationDatabase>;
  checkUrl: WebhookUrlCheck;
  limits: WebhookLimits;
  now: () => Date;
}

/** The company's outbound webhooks: admins only (webhooks.manage). */
export function registerWebhookRoutes(serve: ServeRoute, deps: WebhookRouteDeps): void {
  const { db } = deps;
  serve(webhookRoutes.create, async (c, { body }) =>
    c.json(await createWebhook(deps, c.var.caller, body), 201),
  );
  serve(webhookRoutes.list, async (c) => c.json(await listWebhooks(db, c.var.caller)));
  serve(webhookRoutes.get, async (c, { params }) =>
    c.json(await getWebhook(db, c.var.caller, params.id)),
  );
  serve(webhookRoutes.update, async (c, { params, body }) =>
    c.json(await updateWebhook(deps, c.var.caller, params.id, body)),
  );
  serve(webhookRoutes.delete, async (c, { params }) => {
    await deleteWebhook(db, c.var.caller, params.id);
    return c.body(null, 204);
  });
  serve(webhookRoutes.rotateSecret, async (c, { params }) =>
    c.json(await rotateWebhookSecret(deps, c.var.caller, params.id)),
  );
  serve(webhookRoutes.listDeliveries, async (c, { params, query }) =>
    c.json(await listWebhookDeliveries(db, c.var.caller, params.id, query)),
  );
  serve(webhookRoutes.redeliver, async (c, { params }) =>
    c.json(await redeliverWebhookDelivery(deps, c.var.caller, params.id, params.delivery_id), 202),
  );
}
