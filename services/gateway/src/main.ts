import {
  createDatabase,
  createLogger,
  createTokenVerifier,
  messagingHealth,
  migrateSchema,
  onShutdown,
  serveHttp,
  startMessaging,
} from '@countersign/platform';
import { shutdownTelemetry } from '@countersign/platform/telemetry';
import { createLocalJWKSet } from 'jose';
import { config } from './config.js';
import { migrations } from './db/migrations/index.js';
import type { IdentityDatabase } from './db/types.js';
import { createGatewayApp } from './http/app.js';
import { directoryEventHandlers, directoryEventsConsumer } from './messaging/directory-events.js';
import { IDENTITY_SCHEMA } from './outbox/enqueue.js';
import { MailRelay } from './outbox/mail-relay.js';
import { loadKeyRing } from './use-cases/load-key-ring.js';
import { seedDemoCredentials } from './use-cases/seed-demo-credentials.js';

const logger = createLogger('gateway', config.LOG_LEVEL);
const now = () => new Date();

const db = createDatabase<IdentityDatabase>({ url: config.DATABASE_URL, schema: IDENTITY_SCHEMA });
const applied = await migrateSchema(db, IDENTITY_SCHEMA, migrations);
if (applied.length > 0) logger.info({ applied }, 'migrations applied');
if (config.SEED_DEMO) {
  const seeded = await seedDemoCredentials(db);
  if (seeded > 0) logger.info({ seeded }, 'demo logins loaded');
}
const keys = await loadKeyRing(db);

const mailRelay = new MailRelay({ db, logger, smtpUrl: config.SMTP_URL, from: config.MAIL_FROM });
mailRelay.start();

const messaging = await startMessaging({
  natsUrl: config.NATS_URL,
  databaseUrl: config.DATABASE_URL,
  schema: IDENTITY_SCHEMA,
  service: 'gateway',
  db,
  logger,
  consumers: [{ ...directoryEventsConsumer, handlers: directoryEventHandlers(now, logger) }],
});

// The gateway checks tokens against the key set it holds; services fetch it over JWKS.
const verifyToken = createTokenVerifier({
  keys: createLocalJWKSet({ keys: keys.publicKeys }),
  issuer: config.JWT_ISSUER,
  audience: config.JWT_AUDIENCE,
});

const app = createGatewayApp({
  logger,
  keys,
  auth: {
    db,
    verifyToken,
    mailQueued: mailRelay.wake,
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
});
const server = await serveHttp(app, config.HOST, config.PORT);
logger.info({ port: server.port }, 'gateway listening');

onShutdown(logger, async () => {
  await server.close();
  await messaging.stop();
  await mailRelay.stop();
  await db.destroy();
  await shutdownTelemetry();
});
