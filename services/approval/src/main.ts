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
import type { ApprovalDatabase } from './db/types.js';
import { createApprovalApp } from './http/routes.js';
import { startEscalationTimer } from './jobs/escalation-timer.js';
import {
  autoApprovalHandlers,
  autoApprovalsConsumer,
  blockHandlers,
  blocksConsumer,
  deletionHandlers,
  deletionsConsumer,
  expenseEventHandlers,
  expenseEventsConsumer,
  resubmissionHandlers,
  resubmissionsConsumer,
  snapshotRequestHandlers,
  snapshotRequestsConsumer,
} from './messaging/expense-events.js';
import { gatewayEventsConsumer } from './messaging/gateway-events.js';
import { stepRequestedConsumer } from './messaging/step-requested-events.js';
import { APPROVAL_SCHEMA } from './outbox/enqueue.js';
import { seedDemoCompany } from './use-cases/seed-demo-company.js';

const logger = createLogger('approval', config.LOG_LEVEL);
// Prometheus figures on GET /metrics: requests, pool, relay, lag, backlog, dead letters.
const metrics = new ServiceMetrics({
  service: 'approval',
  logger,
  scrapeToken: config.METRICS_TOKEN,
});
const now = () => new Date();

// Migrated as the migrator (if given); the service then runs as its own login (see openServiceDatabase).
const db = await openServiceDatabase<ApprovalDatabase>({
  url: config.DATABASE_URL,
  migrationUrl: config.MIGRATION_DATABASE_URL,
  migrateOnly: config.MIGRATE_ONLY,
  schema: APPROVAL_SCHEMA,
  migrations,
  onMigrated: (applied) => logger.info({ applied }, 'migrations applied'),
  metrics,
  logger,
});
if (config.MIGRATE_ONLY) await exitAfterMigrating(logger, () => db.destroy());
// No key, no start: unsigned checkpoints would protect nothing (see docs/OPERATIONS.md).
const auditKeys = loadAuditKeys(config);
if (config.SEED_DEMO && (await seedDemoCompany(db))) logger.info('demo company loaded');

const messaging = await startMessaging({
  natsUrl: config.NATS_URL,
  natsClient: natsClientSettings(config, 'approval'),
  streamReplicas: config.NATS_STREAM_REPLICAS,
  databaseUrl: config.DATABASE_URL,
  schema: APPROVAL_SCHEMA,
  service: 'approval',
  db,
  logger,
  metrics,
  consumers: [
    { ...expenseEventsConsumer, handlers: expenseEventHandlers(now) },
    { ...resubmissionsConsumer, handlers: resubmissionHandlers(now) },
    { ...autoApprovalsConsumer, handlers: autoApprovalHandlers },
    { ...blocksConsumer, handlers: blockHandlers },
    { ...deletionsConsumer, handlers: deletionHandlers(now) },
    { ...snapshotRequestsConsumer, handlers: snapshotRequestHandlers(now) },
    gatewayEventsConsumer,
    stepRequestedConsumer(config.ESCALATION_AFTER_HOURS),
  ],
});
// Links this replica's (and any replica's) new audit entries into their companies' chains.
const auditChainer = startAuditChainer({
  db,
  schema: APPROVAL_SCHEMA,
  logger,
  pollMs: config.AUDIT_CHAIN_POLL_MS,
});
// One replica per interval signs the chains' new heads and publishes them to JetStream.
const audit = startAuditCheckpoints({
  db,
  service: 'approval',
  nats: messaging.nats,
  keys: auditKeys,
  intervalSeconds: config.AUDIT_CHECKPOINT_INTERVAL_SECONDS,
  logger,
});
const escalationTimer = startEscalationTimer({
  db,
  logger,
  now,
  intervalMs: config.ESCALATION_CHECK_INTERVAL_MS,
});

// Revocations pushed by the gateway (deactivation, role change, withdrawn key): this
// process applies them to its token verifier within moments (see RevocationFeed).
const { revocations, follower: revocationFeed } = await startRevocations({
  nats: messaging.nats,
  logger,
  accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
});

const app = createApprovalApp({
  db,
  auditCheckpoints: audit.deps,
  logger,
  now,
  verifyToken: tokenVerifierFromConfig(config, revocations),
  ...messagingHealth(db, messaging),
  metrics,
});
const server = await serveHttp(app, config.HOST, config.PORT);
logger.info({ port: server.port }, 'approval service listening');

onShutdown(logger, async () => {
  await server.close();
  await escalationTimer.stop();
  await auditChainer.stop();
  await revocationFeed.stop();
  await audit.checkpointer.stop();
  await messaging.stop();
  await db.destroy();
  await shutdownTelemetry();
});
