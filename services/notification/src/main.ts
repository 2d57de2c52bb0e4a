import {
  createLogger,
  exitAfterMigrating,
  loadAuditKeys,
  MailRelay,
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
import type { NotificationDatabase } from './db/types.js';
import { createNotificationApp } from './http/routes.js';
import { startDigestTimer } from './jobs/daily-digest.js';
import { startWebhookDispatcher } from './jobs/webhook-dispatcher.js';
import { legacyInboxIsRecent } from './messaging/compose-handlers.js';
import { legacyDurables, notificationConsumers } from './messaging/consumers.js';
import { createWebhookUrlCheck } from './outbound/check-webhook-url.js';
import { createWebhookPoster } from './outbound/post-webhook.js';
import { systemResolver } from './outbound/resolve-public.js';
import { NOTIFICATION_SCHEMA } from './outbox/schema.js';

const logger = createLogger('notification', config.LOG_LEVEL);
// Prometheus figures on GET /metrics: requests, pool, relay, lag, backlog, dead letters.
const metrics = new ServiceMetrics({
  service: 'notification',
  logger,
  scrapeToken: config.METRICS_TOKEN,
});

// Migrated as the migrator (if given); the service then runs as its own login (see openServiceDatabase).
const db = await openServiceDatabase<NotificationDatabase>({
  url: config.DATABASE_URL,
  migrationUrl: config.MIGRATION_DATABASE_URL,
  migrateOnly: config.MIGRATE_ONLY,
  schema: NOTIFICATION_SCHEMA,
  migrations,
  onMigrated: (applied) => logger.info({ applied }, 'migrations applied'),
  metrics,
  logger,
});
if (config.MIGRATE_ONLY) await exitAfterMigrating(logger, () => db.destroy());
// No key, no start: unsigned checkpoints would protect nothing (see docs/OPERATIONS.md).
const auditKeys = loadAuditKeys(config);

const messaging = await startMessaging({
  natsUrl: config.NATS_URL,
  natsClient: natsClientSettings(config, 'notification'),
  streamReplicas: config.NATS_STREAM_REPLICAS,
  databaseUrl: config.DATABASE_URL,
  schema: NOTIFICATION_SCHEMA,
  service: 'notification',
  db,
  logger,
  metrics,
  // During the upgrade window an event may reach a stream's one durable after one of the
  // durables it replaced handled it; their inbox rows then say which jobs are done.
  consumers: notificationConsumers({
    consultLegacyInbox: await legacyInboxIsRecent(db, legacyDurables, new Date()),
  }),
});
// Links this replica's (and any replica's) new audit entries into their companies' chains.
const auditChainer = startAuditChainer({
  db,
  schema: NOTIFICATION_SCHEMA,
  logger,
  pollMs: config.AUDIT_CHAIN_POLL_MS,
});
// One replica per interval signs the chains' new heads and publishes them to JetStream.
const audit = startAuditCheckpoints({
  db,
  service: 'notification',
  nats: messaging.nats,
  keys: auditKeys,
  intervalSeconds: config.AUDIT_CHECKPOINT_INTERVAL_SECONDS,
  logger,
});

// Mail queued with notifications goes out through SMTP; replicas share the queue.
const mailRelay = new MailRelay({
  db,
  logger,
  smtpUrl: config.SMTP_URL,
  from: config.MAIL_FROM,
  metrics,
});
mailRelay.start();
const digests = startDigestTimer({
  db,
  logger,
  now: () => new Date(),
  hourUtc: config.DIGEST_HOUR_UTC,
  intervalMs: config.DIGEST_POLL_MS,
  mailQueued: mailRelay.wake,
});

// Revocations pushed by the gateway (deactivation, role change, withdrawn key): this
// process applies them to its token verifier within moments (see RevocationFeed).
const { revocations, follower: revocationFeed } = await startRevocations({
  nats: messaging.nats,
  logger,
  accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
});

const app = createNotificationApp({
  db,
  auditCheckpoints: audit.deps,
  logger,
  verifyToken: tokenVerifierFromConfig(config, revocations),
  ...messagingHealth(db, messaging),
  metrics,
  checkWebhookUrl: createWebhookUrlCheck(config.WEBHOOK_TEST_TARGETS, systemResolver),
  webhookLimits: {
    maxEndpointsPerCompany: config.WEBHOOK_MAX_ENDPOINTS_PER_COMPANY,
    redeliveriesPerEndpoint: config.WEBHOOK_REDELIVERIES_PER_ENDPOINT,
    redeliveriesPerCompany: config.WEBHOOK_REDELIVERIES_PER_COMPANY,
    redeliveryWindowMs: config.WEBHOOK_REDELIVERY_WINDOW_SECONDS * 1000,
  },
  now: () => new Date(),
});
const server = await serveHttp(app, config.HOST, config.PORT);
logger.info({ port: server.port }, 'notification service listening');

const webhookDispatcher = startWebhookDispatcher({
  db,
  logger,
  post: createWebhookPoster({
    testTargets: config.WEBHOOK_TEST_TARGETS,
    resolve: systemResolver,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
  }),
  now: () => new Date(),
  random: Math.random,
  retry: {
    baseMs: config.WEBHOOK_RETRY_BASE_MS,
    capMs: config.WEBHOOK_RETRY_CAP_MS,
    windowMs: config.WEBHOOK_RETRY_WINDOW_MS,
  },
  leaseMs: config.WEBHOOK_TIMEOUT_MS + 30_000,
  concurrency: config.WEBHOOK_CONCURRENCY,
  perCompany: config.WEBHOOK_COMPANY_CONCURRENCY,
  pollMs: config.WEBHOOK_POLL_MS,
});

onShutdown(logger, async () => {
  await server.close();
  await webhookDispatcher.stop();
  await digests.stop();
  await auditChainer.stop();
  await revocationFeed.stop();
  await audit.checkpointer.stop();
  await messaging.stop();
  await mailRelay.stop();
  await db.destroy();
  await shutdownTelemetry();
});
