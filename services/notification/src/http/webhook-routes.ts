import {
  CreateWebhookRequest,
  EmptyWebhookRequest,
  UpdateWebhookRequest,
  WebhookDeliveryParams,
  WebhookDeliveryQuery,
  WebhookIdParam,
} from '@countersign/contracts';
import {
  parseOrThrow,
  readJsonBody,
  requireAuth,
  requirePermission,
  type ServiceEnv,
  type TokenVerifier,
} from '@countersign/platform';
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { NotificationDatabase } from '../db/types.js';
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
  verifyToken: TokenVerifier;
  checkUrl: WebhookUrlCheck;
  now: () => Date;
}

/** The company's outbound webhooks: admins only (webhooks.manage). */
export function registerWebhookRoutes(app: Hono<ServiceEnv>, deps: WebhookRouteDeps): void {
  const { db } = deps;
  const manage = requirePermission('webhooks.manage');
  // '/webhooks/*' also matches '/webhooks' itself.
  app.use('/webhooks/*', requireAuth(deps.verifyToken));
  app.post('/webhooks', manage, async (c) => {
    const body = await readJsonBody(c, CreateWebhookRequest);
    return c.json(await createWebhook(deps, c.var.caller, body), 201);
  });
  app.get('/webhooks', manage, async (c) => c.json(await listWebhooks(db, c.var.caller)));
  app.get('/webhooks/:id', manage, async (c) => {
    const { id } = parseOrThrow(WebhookIdParam, c.req.param());
    return c.json(await getWebhook(db, c.var.caller, id));
  });
  app.patch('/webhooks/:id', manage, async (c) => {
    const { id } = parseOrThrow(WebhookIdParam, c.req.param());
    const body = await readJsonBody(c, UpdateWebhookRequest);
    return c.json(await updateWebhook(deps, c.var.caller, id, body));
  });
  app.delete('/webhooks/:id', manage, async (c) => {
    const { id } = parseOrThrow(WebhookIdParam, c.req.param());
    await deleteWebhook(db, c.var.caller, id);
    return c.body(null, 204);
  });
  app.post('/webhooks/:id/rotate-secret', manage, async (c) => {
    const { id } = parseOrThrow(WebhookIdParam, c.req.param());
    await readJsonBody(c, EmptyWebhookRequest);
    return c.json(await rotateWebhookSecret(deps, c.var.caller, id));
  });
  app.get('/webhooks/:id/deliveries', manage, async (c) => {
    const { id } = parseOrThrow(WebhookIdParam, c.req.param());
    const query = parseOrThrow(WebhookDeliveryQuery, c.req.query());
    return c.json(await listWebhookDeliveries(db, c.var.caller, id, query));
  });
  app.post('/webhooks/:id/deliveries/:delivery_id/redeliver', manage, async (c) => {
    const { id, delivery_id } = parseOrThrow(WebhookDeliveryParams, c.req.param());
    await readJsonBody(c, EmptyWebhookRequest);
    return c.json(await redeliverWebhookDelivery(deps, c.var.caller, id, delivery_id), 202);
  });
}
