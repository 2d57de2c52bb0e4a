import {
  createDatabase,
  createLogger,
  createTokenVerifier,
  migrateSchema,
  onShutdown,
  pingDatabase,
  serveHttp,
} from '@countersign/platform';
import { shutdownTelemetry } from '@countersign/platform/telemetry';
import { config } from './config.js';
import { migrations } from './db/migrations/index.js';
import type { IdentityDatabase } from './db/types.js';
import { createGatewayApp } from './http/app.js';
import { startUpkeep } from './jobs/key-and-limit-upkeep.js';
import { loadKeyRing } from './use-cases/load-key-ring.js';
import { seedDemoCredentials } from './use-cases/seed-demo-credentials.js';

const IDENTITY_SCHEMA = 'identity';
const logger = createLogger('gateway', config.LOG_LEVEL);

const db = createDatabase<IdentityDatabase>({ url: config.DATABASE_URL, schema: IDENTITY_SCHEMA });
const applied = await migrateSchema(db, IDENTITY_SCHEMA, migrations);
if (applied.length > 0) logger.info({ applied }, 'migrations applied');
if (config.SEED_DEMO) {
  const seeded = await seedDemoCredentials(db);
  if (seeded > 0) logger.info({ seeded }, 'demo logins loaded');
}
const now = () => new Date();
const keys = await loadKeyRing(db, now);
const upkeep = startUpkeep({
  db,
  ring: keys,
  logger,
  now,
  policy: {
    maxAgeMs: config.SIGNING_KEY_ROTATION_HOURS * 3_600_000,
    publishLeadMs: config.SIGNING_KEY_PUBLISH_LEAD_SECONDS * 1000,
  },
  intervalMs: config.SIGNING_KEY_RELOAD_SECONDS * 1000,
});

// The gateway checks tokens against the keys it publishes; services fetch them over JWKS.
const verifyToken = createTokenVerifier({
  keys: keys.verificationKey,
  issuer: config.JWT_ISSUER,
  audience: config.JWT_AUDIENCE,
  jwksCacheSeconds: config.JWKS_CACHE_SECONDS,
});
const app = createGatewayApp({
  logger,
  keys,
  logIn: {
    db,
    keys,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
  },
  verifyToken,
  upstreams: {
    expense: config.EXPENSE_URL,
    approval: config.APPROVAL_URL,
    notification: config.NOTIFICATION_URL,
  },
  readiness: [{ name: 'database', check: () => pingDatabase(db) }],
  rateLimits: {
    db,
    verifyToken,
    logger,
    windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
    perAddress: config.RATE_LIMIT_IP_PER_WINDOW,
    perSubject: config.RATE_LIMIT_USER_PER_WINDOW,
    trustedProxies: config.TRUST_PROXY,
  },
});
const server = await serveHttp(app, config.HOST, config.PORT);
logger.info({ port: server.port }, 'gateway listening');

onShutdown(logger, async () => {
  await server.close();
  await upkeep.stop();
  await db.destroy();
  await shutdownTelemetry();
});
