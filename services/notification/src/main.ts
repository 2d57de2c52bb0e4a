import {
  createLogger,
  messagingHealth,
  onShutdown,
  openServiceDatabase,
  serveHttp,
  startMessaging,
  tokenVerifierFromConfig,
} from '@countersign/platform';
import { shutdownTelemetry } from '@countersign/platform/telemetry';
import { config } from './config.js';
import { migrations } from './db/migrations/index.js';
import type { NotificationDatabase } from './db/types.js';
import { createNotificationApp } from './http/routes.js';
import {
  approvalEventsConsumer,
  blockedExpensesConsumer,
  paidExpensesConsumer,
} from './messaging/approval-events.js';
import { NOTIFICATION_SCHEMA } from './outbox/schema.js';

const logger = createLogger('notification', config.LOG_LEVEL);

// Migrated as the owner; the service then runs as its own role (see openServiceDatabase).
const db = await openServiceDatabase<NotificationDatabase>({
  url: config.DATABASE_URL,
  schema: NOTIFICATION_SCHEMA,
  migrations,
  onMigrated: (applied) => logger.info({ applied }, 'migrations applied'),
});

const messaging = await startMessaging({
  natsUrl: config.NATS_URL,
  databaseUrl: config.DATABASE_URL,
  schema: NOTIFICATION_SCHEMA,
  service: 'notification',
  db,
  logger,
  consumers: [approvalEventsConsumer, blockedExpensesConsumer, paidExpensesConsumer],
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
  await messaging.stop();
  await db.destroy();
  await shutdownTelemetry();
});
