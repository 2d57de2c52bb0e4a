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
import { createLocalJWKSet } from 'jose';
import { config } from './config.js';
import { migrations } from './db/migrations/index.js';
import type { IdentityDatabase } from './db/types.js';
import { createGatewayApp } from './http/app.js';
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
const keys = await loadKeyRing(db);

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
  // The gateway checks tokens against the key set it holds; services fetch it over JWKS.
  verifyToken: createTokenVerifier({
    keys: createLocalJWKSet({ keys: keys.publicKeys }),
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  }),
  upstreams: {
    expense: config.EXPENSE_URL,
    approval: config.APPROVAL_URL,
    notification: config.NOTIFICATION_URL,
  },
  readiness: [{ name: 'database', check: () => pingDatabase(db) }],
});
const server = await serveHttp(app, config.HOST, config.PORT);
logger.info({ port: server.port }, 'gateway listening');

onShutdown(logger, async () => {
  await server.close();
  await db.destroy();
  await shutdownTelemetry();
});
