import {
  createDatabase,
  createLogger,
  MailRelay,
  messagingHealth,
  migrateSchema,
  onShutdown,
  serveHttp,
  startMessaging,
  tokenVerifierFromConfig,
} from '@countersign/platform';
import { shutdownTelemetry } from '@countersign/platform/telemetry';
import { config } from './config.js';
import { migrations } from './db/migrations/index.js';
import type { NotificationDatabase } from './db/types.js';
import { createNotificationApp } from './http/routes.js';
import { startDigestTimer } from './jobs/daily-digest.js';
import {
  approvalEventsConsumer,
  autoApprovedExpensesConsumer,
  blockedExpensesConsumer,
  paidExpensesConsumer,
  pendingApprovalsConsumer,
} from './messaging/approval-events.js';
import { directoryEventsConsumer } from './messaging/directory-events.js';
import { NOTIFICATION_SCHEMA } from './outbox/schema.js';

const logger = createLogger('notification', config.LOG_LEVEL);

const db = createDatabase<NotificationDatabase>({
  url: config.DATABASE_URL,
  schema: NOTIFICATION_SCHEMA,
});
const applied = await migrateSchema(db, NOTIFICATION_SCHEMA, migrations);
if (applied.length > 0) logger.info({ applied }, 'migrations applied');

const messaging = await startMessaging({
  natsUrl: config.NATS_URL,
  databaseUrl: config.DATABASE_URL,
  schema: NOTIFICATION_SCHEMA,
  service: 'notification',
  db,
  logger,
  consumers: [
    approvalEventsConsumer,
    blockedExpensesConsumer,
    paidExpensesConsumer,
    autoApprovedExpensesConsumer,
    directoryEventsConsumer,
    pendingApprovalsConsumer,
  ],
});

// Mail queued with notifications goes out through SMTP; replicas share the queue.
const mailRelay = new MailRelay({ db, logger, smtpUrl: config.SMTP_URL, from: config.MAIL_FROM });
mailRelay.start();
const digests = startDigestTimer({
  db,
  logger,
  now: () => new Date(),
  hourUtc: config.DIGEST_HOUR_UTC,
  intervalMs: config.DIGEST_POLL_MS,
  mailQueued: mailRelay.wake,
});

const app = createNotificationApp({
  db,
  logger,
  verifyToken: tokenVerifierFromConfig(config),
  ...messagingHealth(db, messaging),
});
const server = await serveHttp(app, config.HOST, config.PORT);
logger.info({ port: server.port }, 'notification service listening');

onShutdown(logger, async () => {
  await server.close();
  await digests.stop();
  await messaging.stop();
  await mailRelay.stop();
  await db.destroy();
  await shutdownTelemetry();
});
