import { readFileSync } from 'node:fs';
import { BaseConfig, loadConfig } from '@countersign/platform';
import { z } from 'zod';
import { KekError, type KekSet, kekFromBase64 } from './domain/key-sealing.js';

/** The default limits per window (60 s): README.md, "Rate limits", has the table. */
export const DEFAULT_API_LIMITS = {
  perAddress: 1_200,
  perUser: 600,
  /** Sign-in, sign-up, code and password-reset attempts from one address. */
  signInPerAddress: 30,
} as const;

/** Signing-key rotation and rate limits (see docs/ARCHITECTURE.md, "Signing keys" and "Rate limits"). */
const keyAndLimitSettings = {
  /** A signing key is replaced once it is this old. */
  SIGNING_KEY_ROTATION_HOURS: z.coerce.number().positive().default(168),
  /**
   * A new key is published this long before it signs. It must cover a replica's reload
   * interval, the services' JWKS refetch cooldown (30 s) and the JWKS's HTTP max-age (60 s).
   */
  SIGNING_KEY_PUBLISH_LEAD_SECONDS: z.coerce.number().int().min(0).default(180),
  /** How often each replica reloads its keys, checks for a due rotation and prunes counters. */
  SIGNING_KEY_RELOAD_SECONDS: z.coerce.number().int().min(1).max(300).default(30),
  /**
   * The API limits' period: each allows its number per window, all of it as a burst, and
   * refills smoothly (GCRA). The sign-in attempt limits count in fixed windows of this length.
   */
  RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  /**
   * Sized for people, not load tests: a busy browser session makes a few requests a
   * second. `npm start -- --bench` (and the e2e TestCluster) raise them explicitly.
   */
  RATE_LIMIT_IP_PER_WINDOW: z.coerce.number().int().min(1).default(DEFAULT_API_LIMITS.perAddress),
  RATE_LIMIT_USER_PER_WINDOW: z.coerce.number().int().min(1).default(DEFAULT_API_LIMITS.perUser),
  /**
   * How many gateway replicas share the API limits. They count in memory, each its own:
   * each enforces limit / replicas, so a balancer that spreads requests evenly lets the
   * configured total through.
   */
  RATE_LIMIT_REPLICAS: z.coerce.number().int().min(1).max(1000).default(1),
  /** Sign-in, sign-up and code attempts per window from one address (a person typing). */
  AUTH_ATTEMPTS_IP_PER_WINDOW: z.coerce
    .number()
    .int()
    .min(1)
    .default(DEFAULT_API_LIMITS.signInPerAddress),
  /** The same per e-mail address named in the request, from anywhere. */
  AUTH_ATTEMPTS_ACCOUNT_PER_WINDOW: z.coerce.number().int().min(1).default(10),
  /** Proxies in front that append to X-Forwarded-For: false (none, the default), true (one) or a count. */
  TRUST_PROXY: z
    .union([z.enum(['false', 'true']), z.string().regex(/^\d+$/)])
    .default('false')
    .transform((v) => (v === 'false' ? 0 : v === 'true' ? 1 : Number(v))),
};

/** The key-encryption key the signing keys are sealed with (see docs/OPERATIONS.md, "Signing-key KEK"). */
const kekSettings = {
  /** 32 random bytes in base64 (`openssl rand -base64 32`). Required, or the _FILE form. */
  SIGNING_KEY_KEK: z.string().optional(),
  /** A file holding the KEK in base64 (a mounted secret). */
  SIGNING_KEY_KEK_FILE: z.string().optional(),
  /** While rotating the KEK: the old one(s), comma-separated; keys sealed with them are resealed at start. */
  SIGNING_KEY_KEK_PREVIOUS: z.string().optional(),
};

/** Idempotency-Key on creating POSTs (see docs/ARCHITECTURE.md, "Idempotent submission"). */
const idempotencySettings = {
  /** How long a key and its answer are kept after its first use. */
  IDEMPOTENCY_KEY_RETENTION_HOURS: z.coerce.number().positive().max(720).default(24),
  /** How long a request holds its key without answering before a retry may take it over. */
  IDEMPOTENCY_LEASE_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
};

/** `GET /api/stream` (see docs/ARCHITECTURE.md, "Real-time feed"). */
const streamSettings = {
  STREAM_HEARTBEAT_SECONDS: z.coerce.number().int().min(1).max(300).default(15),
  /** Streams one person may hold open on one gateway replica. */
  STREAM_MAX_PER_USER: z.coerce.number().int().min(1).max(100).default(5),
  /** How long a ticket for a browser's EventSource may be used to open a stream. */
  STREAM_TICKET_TTL_SECONDS: z.coerce.number().int().min(5).max(300).default(60),
};

/** Account abuse (see README.md, "Accounts: a company of your own"). */
const accountSettings = {
  /** Password hashes (argon2, ~19 MiB and a core each) computed at once per replica. */
  PASSWORD_HASH_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  /** Requests waiting for a hash slot; past that, 429 with Retry-After at once. */
  PASSWORD_HASH_QUEUE: z.coerce.number().int().min(0).max(10_000).default(64),
  /** Invitations (people added) per company per UTC day. */
  INVITATIONS_PER_COMPANY_PER_DAY: z.coerce.number().int().min(1).default(200),
};

/** Every setting the service reads from its environment (the deployment tests check keys against it). */
export const configSchema = BaseConfig.extend({
  PORT: z.coerce.number().int().default(4000),
  EXPENSE_URL: z.string().default('http://127.0.0.1:4101'),
  APPROVAL_URL: z.string().default('http://127.0.0.1:4102'),
  NOTIFICATION_URL: z.string().default('http://127.0.0.1:4103'),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
  REFRESH_TOKEN_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(300)
    .max(90 * 86_400)
    .default(14 * 86_400),
  /** Where account mail (codes, invitations) goes; `npm start` runs a local sink here. */
  SMTP_URL: z.string().default('smtp://127.0.0.1:2525'),
  MAIL_FROM: z.string().default('Countersign <no-reply@countersign.local>'),
  SEED_DEMO: z.stringbool().default(false),
  /**
   * The demo logins' password when SEED_DEMO is on; unset, the published one of the README
   * (fine on loopback, never on a reachable port: docker-compose generates one).
   */
  DEMO_PASSWORD: z.string().min(12).optional(),
  ...keyAndLimitSettings,
  ...kekSettings,
  ...idempotencySettings,
  ...streamSettings,
  ...accountSettings,
});

export const config = loadConfig(configSchema);

/** The KEKs from the environment or the file; the gateway does not start without one. */
export function signingKeks(
  settings: Pick<
    z.infer<typeof configSchema>,
    'SIGNING_KEY_KEK' | 'SIGNING_KEY_KEK_FILE' | 'SIGNING_KEY_KEK_PREVIOUS'
  >,
): KekSet {
  const text = settings.SIGNING_KEY_KEK_FILE
    ? readFileSync(settings.SIGNING_KEY_KEK_FILE, 'utf8')
    : settings.SIGNING_KEY_KEK;
  if (!text?.trim()) {
    throw new KekError(
      'SIGNING_KEY_KEK (or SIGNING_KEY_KEK_FILE) is required: the signing keys are sealed with it at rest',
    );
  }
  const previous = (settings.SIGNING_KEY_KEK_PREVIOUS ?? '')
    .split(',')
    .filter((part) => part.trim())
    .map((part) => kekFromBase64(part, 'SIGNING_KEY_KEK_PREVIOUS'));
  return { current: kekFromBase64(text), previous };
}
export type GatewayConfig = typeof config;
