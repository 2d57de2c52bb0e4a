import { PageQuery } from '@countersign/contracts';
import {
  createServiceApp,
  type Logger,
  mountAuditTrail,
  parseOrThrow,
  type ReadinessCheck,
  requireAuth,
  requirePermission,
  type ServiceFigures,
  type TokenVerifier,
} from '@countersign/platform';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { NotificationDatabase } from '../db/types.js';
import type { WebhookUrlCheck } from '../outbound/check-webhook-url.js';
import { listMyNotifications } from '../use-cases/list-my-notifications.js';
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

const NotificationQuery = PageQuery.extend({ unread_only: z.stringbool().default(false) });

export function createNotificationApp(deps: NotificationHttpDeps) {
  const app = createServiceApp(deps.logger, deps.readiness, deps.figures);
  mountAuditTrail(app, { db: deps.db, service: 'notification', verifyToken: deps.verifyToken });
  app.use('/notifications', requireAuth(deps.verifyToken));
  app.get('/notifications', requirePermission('notifications.read'), async (c) => {
    const query = parseOrThrow(NotificationQuery, c.req.query());
    return c.json(
      await listMyNotifications(deps.db, c.var.caller, {
        limit: query.limit,
        cursor: query.cursor,
        unreadOnly: query.unread_only,
      }),
    );
  });
  registerWebhookRoutes(app, { ...deps, checkUrl: deps.checkWebhookUrl });
  return app;
}
