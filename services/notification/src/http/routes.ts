import {
  MarkReadRequest,
  NotificationIdParam,
  NotificationQuery,
  UpdateNotificationPreferences,
} from '@countersign/contracts';
import {
  createServiceApp,
  hasNoBody,
  type Logger,
  mountAuditTrail,
  parseOrThrow,
  type ReadinessCheck,
  readJsonBody,
  requireAuth,
  requirePermission,
  type ServiceFigures,
  type TokenVerifier,
} from '@countersign/platform';
import type { Context } from 'hono';
import type { Kysely } from 'kysely';
import type { NotificationDatabase } from '../db/types.js';
import type { WebhookUrlCheck } from '../outbound/check-webhook-url.js';
import { changeNotificationPreferences } from '../use-cases/change-notification-preferences.js';
import { getNotificationPreferences } from '../use-cases/get-notification-preferences.js';
import { listMyNotifications } from '../use-cases/list-my-notifications.js';
import { markAllNotificationsRead } from '../use-cases/mark-all-notifications-read.js';
import { markNotificationRead } from '../use-cases/mark-notification-read.js';
import { registerWebhookRoutes } from './webhook-routes.js';

export interface NotificationHttpDeps {
  db: Kysely<NotificationDatabase>;
  logger: Logger;
  verifyToken: TokenVerifier;
  readiness: ReadinessCheck[];
  figures?: ServiceFigures;
  /** Judges webhook URLs at registration (SSRF rules, DNS). */
  checkWebhookUrl: WebhookUrlCheck;
  now: () => Date;
}

/** Everything here is the caller's own: reading notifications is the one permission needed. */
export function createNotificationApp(deps: NotificationHttpDeps) {
  const app = createServiceApp(deps.logger, deps.readiness, deps.figures);
  mountAuditTrail(app, { db: deps.db, service: 'notification', verifyToken: deps.verifyToken });
  const clock = { db: deps.db, now: deps.now };
  const own = requirePermission('notifications.read');
  app.use('/notifications', requireAuth(deps.verifyToken));
  app.use('/notifications/*', requireAuth(deps.verifyToken));
  app.use('/notification-preferences', requireAuth(deps.verifyToken));
  app.get('/notifications', own, async (c) => {
    const query = parseOrThrow(NotificationQuery, c.req.query());
    return c.json(
      await listMyNotifications(deps.db, c.var.caller, {
        limit: query.limit,
        cursor: query.cursor,
        unreadOnly: query.unread_only ?? false,
      }),
    );
  });
  registerWebhookRoutes(app, { ...deps, checkUrl: deps.checkWebhookUrl });
  app.post('/notifications/read-all', own, async (c) => {
    await readOptionalEmptyBody(c);
    return c.json(await markAllNotificationsRead(clock, c.var.caller));
  });
  app.post('/notifications/:id/read', own, async (c) => {
    const { id } = parseOrThrow(NotificationIdParam, c.req.param());
    await readOptionalEmptyBody(c);
    return c.json(await markNotificationRead(clock, c.var.caller, id));
  });
  app.get('/notification-preferences', own, async (c) =>
    c.json(await getNotificationPreferences(deps.db, c.var.caller)),
  );
  app.put('/notification-preferences', own, async (c) => {
    const body = await readJsonBody(c, UpdateNotificationPreferences);
    return c.json(await changeNotificationPreferences(deps.db, c.var.caller, body));
  });
  return app;
}

/** Seed 002 marks read with a bare POST; a body, when sent, may set nothing. */
async function readOptionalEmptyBody(c: Context): Promise<void> {
  if (!hasNoBody(c)) await readJsonBody(c, MarkReadRequest);
}
