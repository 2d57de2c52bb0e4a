import { notificationRoutes } from '@countersign/contracts';
import {
  createServiceApp,
  type Logger,
  mountAuditTrail,
  type ReadinessCheck,
  routeServer,
  type ServiceFigures,
  type ServiceMetrics,
  type TokenVerifier,
} from '@countersign/platform';
import type { Kysely } from 'kysely';
import type { NotificationDatabase } from '../db/types.js';
import type { WebhookLimits } from '../domain/webhook-limits.js';
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
  /** Request timing and `GET /metrics`. */
  metrics?: ServiceMetrics;
  /** Judges webhook URLs at registration (SSRF rules, DNS). */
  checkWebhookUrl: WebhookUrlCheck;
  /** What one company may take of the shared webhook machinery. */
  webhookLimits: WebhookLimits;
  now: () => Date;
}

/** Everything here is the caller's own: reading notifications is the one permission needed. */
export function createNotificationApp(deps: NotificationHttpDeps) {
  const app = createServiceApp(deps.logger, deps.readiness, deps.figures, {
    metrics: deps.metrics,
  });
  mountAuditTrail(app, { db: deps.db, service: 'notification', verifyToken: deps.verifyToken });
  const clock = { db: deps.db, now: deps.now };
  const serve = routeServer(app, deps.verifyToken);
  serve(notificationRoutes.list, async (c, { query }) =>
    c.json(
      await listMyNotifications(deps.db, c.var.caller, {
        limit: query.limit,
        cursor: query.cursor,
        unreadOnly: query.unread_only ?? false,
      }),
    ),
  );
  registerWebhookRoutes(serve, {
    ...deps,
    checkUrl: deps.checkWebhookUrl,
    limits: deps.webhookLimits,
  });
  // Seed 002 marks read with a bare POST; a body, when sent, may set nothing.
  serve(notificationRoutes.markAllRead, async (c) =>
    c.json(await markAllNotificationsRead(clock, c.var.caller)),
  );
  serve(notificationRoutes.markRead, async (c, { params }) =>
    c.json(await markNotificationRead(clock, c.var.caller, params.id)),
  );
  serve(notificationRoutes.getPreferences, async (c) =>
    c.json(await getNotificationPreferences(deps.db, c.var.caller)),
  );
  serve(notificationRoutes.setPreferences, async (c, { body }) =>
    c.json(await changeNotificationPreferences(deps.db, c.var.caller, body)),
  );
  return app;
}
