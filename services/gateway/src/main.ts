import { randomUUID } from 'node:crypto';
import type { AccessClaims } from '@countersign/contracts';
import {
  createLogger,
  createTokenVerifier,
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
} from '@countersign/platform';
import { shutdownTelemetry } from '@countersign/platform/telemetry';
import { config, signingKeks } from './config.js';
import { migrations } from './db/migrations/index.js';
import type { IdentityDatabase } from './db/types.js';
import { ConcurrencyLimit } from './domain/concurrency-limit.js';
import { PasswordHasher } from './domain/password-hashing.js';
import { createGatewayApp } from './http/app.js';
import { replicaRates } from './http/rate-limit.js';
import { startUpkeep } from './jobs/key-and-limit-upkeep.js';
import { startRequestedCodeSender } from './jobs/requested-code-sender.js';
import { directoryEventHandlers, directoryEventsConsumer } from './messaging/directory-events.js';
import { createFeedReader } from './messaging/feed-reader.js';
import { IDENTITY_SCHEMA } from './outbox/enqueue.js';
import { loadKeyRing } from './use-cases/load-key-ring.js';
import { refreshKeyRing } from './use-cases/refresh-key-ring.js';
import { seedDemoCredentials } from './use-cases/seed-demo-credentials.js';
import { useStreamTicket } from './use-cases/use-stream-ticket.js';

const logger = createLogger('gateway', config.LOG_LEVEL);
// Prometheus figures on GET /metrics: requests, pool, relay, lag, backlog, dead letters.
const metrics = new ServiceMetrics({
  service: 'gateway',
  logger,
  scrapeToken: config.METRICS_TOKEN,
});
const now = () => new Date();

// Migrated as the migrator (if given); the service then runs as its own login (see openServiceDatabase).
const db = await openServiceDatabase<IdentityDatabase>({
  url: config.DATABASE_URL,
  migrationUrl: config.MIGRATION_DATABASE_URL,
  migrateOnly: config.MIGRATE_ONLY,
  schema: IDENTITY_SCHEMA,
  migrations,
  onMigrated: (applied) => logger.info({ applied }, 'migrations applied'),
  metrics,
  logger,
});
if (config.MIGRATE_ONLY) await exitAfterMigrating(logger, () => db.destroy());
// No key, no start: unsigned checkpoints would protect nothing (see docs/OPERATIONS.md).
const auditKeys = loadAuditKeys(config);
// Without a KEK (or with one that opens no stored key) the gateway stops here, loudly.
const keks = signingKeks(config);
if (config.SEED_DEMO) {
  const seeded = await seedDemoCredentials(db, config.DEMO_PASSWORD);
  if (seeded > 0) logger.info({ seeded }, 'demo logins loaded');
}
const keys = await loadKeyRing(db, keks, now);
const idempotencyPolicy = {
  retentionMs: config.IDEMPOTENCY_KEY_RETENTION_HOURS * 3_600_000,
  leaseMs: config.IDEMPOTENCY_LEASE_SECONDS * 1000,
};
const upkeep = startUpkeep({
  db,
  ring: keys,
  keks,
  logger,
  now,
  policy: {
    maxAgeMs: config.SIGNING_KEY_ROTATION_HOURS * 3_600_000,
    publishLeadMs: config.SIGNING_KEY_PUBLISH_LEAD_SECONDS * 1000,
    tokenLifetimeMs: config.ACCESS_TOKEN_TTL_SECONDS * 1000,
  },
  intervalMs: config.SIGNING_KEY_RELOAD_SECONDS * 1000,
  idempotencyRetentionMs: idempotencyPolicy.retentionMs,
});

const mailRelay = new MailRelay({
  db,
  logger,
  smtpUrl: config.SMTP_URL,
  from: config.MAIL_FROM,
  metrics,
});
mailRelay.start();
const codeSender = startRequestedCodeSender({
  db,
  now,
  logger,
  mailQueued: mailRelay.wake,
  intervalMs: 2000,
});

const messaging = await startMessaging({
  natsUrl: config.NATS_URL,
  natsClient: natsClientSettings(config, 'gateway'),
  streamReplicas: config.NATS_STREAM_REPLICAS,
  databaseUrl: config.DATABASE_URL,
  schema: IDENTITY_SCHEMA,
  service: 'gateway',
  db,
  logger,
  metrics,
  consumers: [{ ...directoryEventsConsumer, handlers: directoryEventHandlers(now, logger) }],
});
// Links this replica's (and any replica's) new audit entries into their companies' chains.
const auditChainer = startAuditChainer({
  db,
  schema: IDENTITY_SCHEMA,
  logger,
  pollMs: config.AUDIT_CHAIN_POLL_MS,
});
// One replica per interval signs the chains' new heads and publishes them to JetStream.
const audit = startAuditCheckpoints({
  db,
  service: 'gateway',
  nats: messaging.nats,
  keys: auditKeys,
  intervalSeconds: config.AUDIT_CHECKPOINT_INTERVAL_SECONDS,
  logger,
});

// Revocations this gateway (any replica) publishes come back to every replica: applied to
// its verifiers, and a withdrawn key also leaves this replica's ring (and JWKS) at once.
const { revocations, follower: revocationFeed } = await startRevocations({
  nats: messaging.nats,
  logger,
  accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
  onKeyWithdrawn: () => refreshKeyRing(db, keys, keks),
});

// The gateway checks tokens against the keys it publishes; services fetch them over JWKS.
const verifyToken = createTokenVerifier({
  keys: keys.verificationKey,
  issuer: config.JWT_ISSUER,
  audience: config.JWT_AUDIENCE,
  jwksCacheSeconds: config.JWKS_CACHE_SECONDS,
  revocations,
});

// Stream tickets: the same keys, an audience of their own, so no other route takes one.
const streamTicketAudience = `${config.JWT_AUDIENCE}:stream`;
const streamTickets = {
  ttlSeconds: config.STREAM_TICKET_TTL_SECONDS,
  issue: (caller: AccessClaims) =>
    keys.sign(caller, {
      issuer: config.JWT_ISSUER,
      audience: streamTicketAudience,
      ttlSeconds: config.STREAM_TICKET_TTL_SECONDS,
      jwtId: randomUUID(),
    }),
  use: (ticket: { jti?: string | undefined; exp?: number | undefined }) =>
    useStreamTicket(db, ticket),
  verify: createTokenVerifier({
    keys: keys.verificationKey,
    issuer: config.JWT_ISSUER,
    audience: streamTicketAudience,
    jwksCacheSeconds: config.JWKS_CACHE_SECONDS,
    revocations,
  }),
};
const stopStreams = new AbortController();
const app = createGatewayApp({
  logger,
  keys,
  auditCheckpoints: audit.deps,
  auth: {
    db,
    attemptLimits: {
      db,
      windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
      perAddress: config.AUTH_ATTEMPTS_IP_PER_WINDOW,
      perAccount: config.AUTH_ATTEMPTS_ACCOUNT_PER_WINDOW,
      trustedProxies: config.TRUST_PROXY,
    },
    verifyToken,
    passwords: new PasswordHasher(
      new ConcurrencyLimit(config.PASSWORD_HASH_CONCURRENCY, config.PASSWORD_HASH_QUEUE),
      metrics.counter(
        'countersign_password_work_total',
        'argon2 password hashes and verifications started, by work',
        'work',
        ['hash', 'verify'],
      ),
    ),
    mailQueued: mailRelay.wake,
    codeRequested: codeSender.wake,
    session: {
      keys,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      refreshTtlSeconds: config.REFRESH_TOKEN_TTL_SECONDS,
      now,
    },
  },
  verifyToken,
  upstreams: {
    expense: config.EXPENSE_URL,
    approval: config.APPROVAL_URL,
    notification: config.NOTIFICATION_URL,
  },
  ...messagingHealth(db, messaging),
  metrics,
  rateLimits: {
    verifyToken,
    ...replicaRates(config),
    trustedProxies: config.TRUST_PROXY,
    nowMs: () => performance.now(),
  },
  idempotency: { db, policy: idempotencyPolicy, logger },
  invitations: { db, perCompanyPerDay: config.INVITATIONS_PER_COMPANY_PER_DAY },
  stream: {
    feed: createFeedReader(messaging.nats, logger, messaging.isConnected),
    heartbeatMs: config.STREAM_HEARTBEAT_SECONDS * 1000,
    maxPerUser: config.STREAM_MAX_PER_USER,
    tickets: streamTickets,
    accessTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    shutdown: stopStreams.signal,
  },
});
const server = await serveHttp(app, config.HOST, config.PORT);
logger.info({ port: server.port }, 'gateway listening');

onShutdown(logger, async () => {
  // Open event streams never finish on their own: end them, or close() would wait forever.
  stopStreams.abort();
  await server.close();
  await upkeep.stop();
  await auditChainer.stop();
  await audit.checkpointer.stop();
  await codeSender.stop();
  await revocationFeed.stop();
  await messaging.stop();
  await mailRelay.stop();
  await db.destroy();
  await shutdownTelemetry();
});
