import {
  createLogger,
  exitAfterMigrating,
  messagingHealth,
  onShutdown,
  openServiceDatabase,
  ServiceMetrics,
  serveHttp,
  startAuditChainer,
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
import { startReceiptOcrWorker } from './jobs/receipt-ocr-worker.js';
import { approvalEventsConsumer } from './messaging/approval-events.js';
import { gatewayEventsConsumer } from './messaging/gateway-events.js';
import { tesseractReader } from './ocr/tesseract-reader.js';
import { EXPENSE_SCHEMA } from './outbox/schema.js';
import { diskReceiptStorage } from './storage/disk-receipt-storage.js';
import { requestRoutingCopies } from './use-cases/request-routing-copies.js';
import { seedDemoCatalog } from './use-cases/seed-demo-catalog.js';

const logger = createLogger('expense', config.LOG_LEVEL);
// Prometheus figures on GET /metrics: requests, pool, relay, lag, backlog, dead letters.
const metrics = new ServiceMetrics({
  service: 'expense',
  logger,
  scrapeToken: config.METRICS_TOKEN,
});

// Migrated as the migrator (if given); the service then runs as its own login (see openServiceDatabase).
const db = await openServiceDatabase<ExpenseDatabase>({
  url: config.DATABASE_URL,
  migrationUrl: config.MIGRATION_DATABASE_URL,
  migrateOnly: config.MIGRATE_ONLY,
  schema: EXPENSE_SCHEMA,
  migrations,
  onMigrated: (applied) => logger.info({ applied }, 'migrations applied'),
  metrics,
});
if (config.MIGRATE_ONLY) await exitAfterMigrating(logger, () => db.destroy());
if (config.SEED_DEMO) await seedDemoCatalog(db, new Date());

const messaging = await startMessaging({
  natsUrl: config.NATS_URL,
  streamReplicas: config.NATS_STREAM_REPLICAS,
  databaseUrl: config.DATABASE_URL,
  schema: EXPENSE_SCHEMA,
  service: 'expense',
  db,
  logger,
  metrics,
  consumers: [approvalEventsConsumer, gatewayEventsConsumer],
});
// Links this replica's (and any replica's) new audit entries into their companies' chains.
const auditChainer = startAuditChainer({
  db,
  schema: EXPENSE_SCHEMA,
  logger,
  pollMs: config.AUDIT_CHAIN_POLL_MS,
});

const storage = diskReceiptStorage(config.RECEIPTS_DIR);
const ocrWorker = config.RECEIPT_OCR
  ? startReceiptOcrWorker({
      db,
      storage,
      reader: tesseractReader(),
      logger,
      now: () => new Date(),
      leaseSeconds: 300,
      maxAttempts: 3,
      pollMs: config.RECEIPT_OCR_POLL_MS,
    })
  : undefined;

// A deployment upgraded to route from a copy asks for the companies it already has.
const copiesRequested = await requestRoutingCopies(db, new Date());
if (copiesRequested > 0) logger.info({ companies: copiesRequested }, 'routing copies requested');

const app = createExpenseApp({
  db,
  logger,
  now: () => new Date(),
  route: createRoutingClient(config.APPROVAL_URL),
  storage,
  ...(ocrWorker ? { receiptQueued: ocrWorker.wake } : {}),
  chart: chartWith(config.JOURNAL_EXPENSE_ACCOUNTS),
  verifyToken: tokenVerifierFromConfig(config),
  ...messagingHealth(db, messaging),
  metrics,
});
const server = await serveHttp(app, config.HOST, config.PORT);
logger.info({ port: server.port }, 'expense service listening');

onShutdown(logger, async () => {
  await server.close();
  await ocrWorker?.stop();
  await auditChainer.stop();
  await messaging.stop();
  await db.destroy();
  await shutdownTelemetry();
});
