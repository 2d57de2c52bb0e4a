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
  /**
   * The service's NATS user and password (deploy/nats-auth.conf has one user per service,
   * named after it, so NATS_USER defaults to the service's name). Without a password the
   * connection is anonymous, which only a development NATS without users accepts.
   */
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  /** TLS to NATS: on with NATS_TLS=true or any of the files (CA to trust, client cert/key). */
  NATS_TLS: z.stringbool().optional(),
  NATS_TLS_CA_FILE: z.string().min(1).optional(),
  NATS_TLS_CERT_FILE: z.string().min(1).optional(),
  NATS_TLS_KEY_FILE: z.string().min(1).optional(),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  JWT_ISSUER: z.string().default('countersign-gateway'),
  JWT_AUDIENCE: z.string().default('countersign-api'),
  JWKS_URL: z.string().default('http://127.0.0.1:4000/.well-known/jwks.json'),
  /** How long a fetched JWKS is trusted; a key withdrawn from it stops working within this. */
  JWKS_CACHE_SECONDS: z.coerce.number().int().min(1).max(3600).default(300),
  /**
   * How long an access token lives (the gateway signs them so). Every service keeps a
   * revocation that long (plus clock skew), and reads that far back at start.
   */
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
  /** How often an idle audit chainer looks for entries to link (they wait about this long). */
  AUDIT_CHAIN_POLL_MS: z.coerce.number().int().min(20).max(10_000).default(200),
  /**
   * The service's Ed25519 key for signing audit checkpoints (PEM, or base64 of the PKCS#8
   * DER), or a file holding it. Required: a service without one refuses to start.
   */
  AUDIT_SIGNING_KEY: z.string().min(1).optional(),
  AUDIT_SIGNING_KEY_FILE: z.string().min(1).optional(),
  /** Public keys (PEM or base64 SPKI DER, comma-separated) of keys rotated out, still trusted by verify. */
  AUDIT_TRUSTED_KEYS: z.string().optional(),
  /** How often one replica signs and publishes the new chain heads (checkpoints). */
  AUDIT_CHECKPOINT_INTERVAL_SECONDS: z.coerce.number().min(0.2).max(86_400).default(60),
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
