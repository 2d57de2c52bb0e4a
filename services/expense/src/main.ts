import {
  createDatabase,
  createLogger,
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
import type { ExpenseDatabase } from './db/types.js';
import { chartWith } from './domain/journal.js';
import { createExpenseApp } from './http/routes.js';
import { createRoutingClient } from './http/routing-client.js';
import { approvalEventsConsumer } from './messaging/approval-events.js';
import { gatewayEventsConsumer } from './messaging/gateway-events.js';
import { EXPENSE_SCHEMA } from './outbox/schema.js';
import { seedDemoCatalog } from './use-cases/seed-demo-catalog.js';

const logger = createLogger('expense', config.LOG_LEVEL);

const db = createDatabase<ExpenseDatabase>({ url: config.DATABASE_URL, schema: EXPENSE_SCHEMA });
const applied = await migrateSchema(db, EXPENSE_SCHEMA, migrations);
if (applied.length > 0) logger.info({ applied }, 'migrations applied');
if (config.SEED_DEMO) await seedDemoCatalog(db, new Date());

const messaging = await startMessaging({
  natsUrl: config.NATS_URL,
  databaseUrl: config.DATABASE_URL,
  schema: EXPENSE_SCHEMA,
  service: 'expense',
  db,
  logger,
  consumers: [approvalEventsConsumer, gatewayEventsConsumer],
});

const app = createExpenseApp({
  db,
  logger,
  now: () => new Date(),
  route: createRoutingClient(config.APPROVAL_URL),
  chart: chartWith(config.JOURNAL_EXPENSE_ACCOUNTS),
  verifyToken: tokenVerifierFromConfig(config),
  ...messagingHealth(db, messaging),
});
const server = await serveHttp(app, config.HOST, config.PORT);
logger.info({ port: server.port }, 'expense service listening');

onShutdown(logger, async () => {
  await server.close();
  await messaging.stop();
  await db.destroy();
  await shutdownTelemetry();
});
