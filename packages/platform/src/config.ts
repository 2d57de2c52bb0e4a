import { z } from 'zod';

/** Settings every service reads; each service extends this schema with its own. */
export const BaseConfig = z.object({
  /**
   * The service's own login (countersign_<schema>), with rights on its schema only. It may
   * not be a superuser nor the schema's owner: the service refuses to start as either.
   */
  DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/countersign'),
  /**
   * The migrator's login (owner of the schemas). When set, the service migrates its schema
   * through it at start; without it, migrations are a separate step (MIGRATE_ONLY Job).
   */
  MIGRATION_DATABASE_URL: z.string().optional(),
  /** One server, or several separated by commas (a cluster): the client fails over among them. */
  NATS_URL: z.string().default('nats://127.0.0.1:4222'),
  /**
   * Copies JetStream keeps of every stream: 1 on a single server, 3 on a three-node
   * cluster. Streams created with another count are updated to this one at start.
   */
  NATS_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  JWT_ISSUER: z.string().default('countersign-gateway'),
  JWT_AUDIENCE: z.string().default('countersign-api'),
  JWKS_URL: z.string().default('http://127.0.0.1:4000/.well-known/jwks.json'),
  /** How long a fetched JWKS is trusted; a key withdrawn from it stops working within this. */
  JWKS_CACHE_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
  /** How often an idle audit chainer looks for entries to link (they wait about this long). */
  AUDIT_CHAIN_POLL_MS: z.coerce.number().int().min(20).max(10_000).default(200),
  /** Migrate the service's schema, then exit 0 without starting (a deployment's migration Job). */
  MIGRATE_ONLY: z.stringbool().default(false),
  /**
   * When set, `GET /metrics` answers only `Authorization: Bearer <METRICS_TOKEN>`. Set it
   * wherever the port is reachable by others (the gateway's is the public one).
   */
  METRICS_TOKEN: z.string().min(16).optional(),
});

/** Parses the environment once at start; a bad value stops the service with a readable list. */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env = process.env,
): Readonly<z.infer<S>> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return Object.freeze(parsed.data);
}
