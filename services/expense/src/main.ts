import {
  createLogger,
  exitAfterMigrating,
  loadAuditKeys,
  messagingHealth,
  natsClientSettings,
  onShutdown,
  openServiceDatabase,
  ServiceMetrics,
  serveHttp,
  startAuditChainer,
  startAuditCheckpoints,
  startMessaging,
  startRevocations,
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
import { supervisedReader } from './ocr/supervised-reader.js';
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
  logger,
});
if (config.MIGRATE_ONLY) await exitAfterMigrating(logger, () => db.destroy());
// No key, no start: unsigned checkpoints would protect nothing (see docs/OPERATIONS.md).
const auditKeys = loadAuditKeys(config);
if (config.SEED_DEMO) await seedDemoCatalog(db, new Date());

const messaging = await startMessaging({
  natsUrl: config.NATS_URL,
  natsClient: natsClientSettings(config, 'expense'),
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
// One replica per interval signs the chains' new heads and publishes them to JetStream.
const audit = startAuditCheckpoints({
  db,
  service: 'expense',
  nats: messaging.nats,
  keys: auditKeys,
  intervalSeconds: config.AUDIT_CHECKPOINT_INTERVAL_SECONDS,
  logger,
});

const storage = diskReceiptStorage(config.RECEIPTS_DIR);
const ocrWorker = config.RECEIPT_OCR
  ? startReceiptOcrWorker({
      db,
      storage,
      reader: supervisedReader(tesseractReader, config.RECEIPT_OCR_TIMEOUT_MS),
      logger,
      now: () => new Date(),
      leaseSeconds: 300,
      maxAttempts: 3,
      maxPixels: config.RECEIPT_MAX_PIXELS,
      pollMs: config.RECEIPT_OCR_POLL_MS,
    })
  : undefined;

// A deployment upgraded to route from a copy asks for the companies it already has.
const copiesRequested = await requestRoutingCopies(db, new Date());
if (copiesRequested > 0) logger.info({ companies: copiesRequested }, 'routing copies requested');

// Revocations pushed by the gateway (deactivation, role change, withdrawn key): this
// process applies them to its token verifier within moments (see RevocationFeed).
const { revocations, follower: revocationFeed } = await startRevocations({
  nats: messaging.nats,
  logger,
  accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
});

const app = createExpenseApp({
  db,
  auditCheckpoints: audit.deps,
  logger,
  now: () => new Date(),
  route: createRoutingClient(config.APPROVAL_URL),
  storage,
  receiptLimits: {
    maxPerExpense: config.RECEIPTS_MAX_PER_EXPENSE,
    maxCompanyBytes: config.RECEIPTS_MAX_COMPANY_BYTES,
    maxPixels: config.RECEIPT_MAX_PIXELS,
  },
  ...(ocrWorker ? { receiptQueued: ocrWorker.wake } : {}),
  chart: chartWith(config.JOURNAL_EXPENSE_ACCOUNTS),
  verifyToken: tokenVerifierFromConfig(config, revocations),
  ...messagingHealth(db, messaging),
  metrics,
});
const server = await serveHttp(app, config.HOST, config.PORT);
logger.info({ port: server.port }, 'expense service listening');

onShutdown(logger, async () => {
  await server.close();
  await ocrWorker?.stop();
  await auditChainer.stop();
  await revocationFeed.stop();
  await audit.checkpointer.stop();
  await messaging.stop();
  await db.destroy();
  await shutdownTelemetry();
});
