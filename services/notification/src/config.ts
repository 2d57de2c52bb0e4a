import { BaseConfig, loadConfig } from '@countersign/platform';
import { z } from 'zod';

const hourMs = 60 * 60 * 1000;

/** Every setting the service reads from its environment (the deployment tests check keys against it). */
export const configSchema = BaseConfig.extend({
  PORT: z.coerce.number().int().default(4103),
  /**
   * TEST ONLY: comma-separated `host:port` pairs webhooks may target over http and on
   * loopback (a test's receiver). Empty by default; `npm start` never sets it.
   */
  WEBHOOK_TEST_TARGETS: z
    .string()
    .default('')
    .transform(
      (text) =>
        new Set(
          text
            .split(',')
            .map((entry) => entry.trim())
            .filter(Boolean),
        ) as ReadonlySet<string>,
    ),
  /** The first retry's delay; later ones grow from it (tests shorten it). */
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).default(10_000),
  WEBHOOK_RETRY_CAP_MS: z.coerce
    .number()
    .int()
    .min(1)
    .default(6 * hourMs),
  /** How long a failing delivery keeps being retried before it is marked failed. */
  WEBHOOK_RETRY_WINDOW_MS: z.coerce
    .number()
    .int()
    .min(1)
    .default(24 * hourMs),
  /** One attempt's limit, connection to last byte. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** How often each replica looks for due deliveries. */
  WEBHOOK_POLL_MS: z.coerce.number().int().min(10).default(1_000),
  /** Delivery attempts one replica runs at once, each on its own (one per endpoint). */
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).default(16),
  /** Endpoints of one company being sent to at once, all replicas together. */
  WEBHOOK_COMPANY_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).default(4),
  /** Endpoints one company may have registered, active or paused. */
  WEBHOOK_MAX_ENDPOINTS_PER_COMPANY: z.coerce.number().int().min(1).max(10_000).default(20),
  /** Manual redeliveries (POST …/redeliver) per endpoint within the window. */
  WEBHOOK_REDELIVERIES_PER_ENDPOINT: z.coerce.number().int().min(1).default(50),
  /** Manual redeliveries per company, all its endpoints together, within the window. */
  WEBHOOK_REDELIVERIES_PER_COMPANY: z.coerce.number().int().min(1).default(200),
  /** The redelivery quotas' sliding window. */
  WEBHOOK_REDELIVERY_WINDOW_SECONDS: z.coerce.number().int().min(1).default(3_600),
  /** Where notification mail goes; `npm start` runs a local sink here, as for the gateway. */
  SMTP_URL: z.string().default('smtp://127.0.0.1:2525'),
  MAIL_FROM: z.string().default('Countersign <no-reply@countersign.local>'),
  /** The UTC hour (0-23) from which approvers who chose it get their daily digest. */
  DIGEST_HOUR_UTC: z.coerce.number().int().min(0).max(23).default(7),
  /** How often each replica looks for digests due. */
  DIGEST_POLL_MS: z.coerce.number().int().min(100).default(60_000),
});

export const config = loadConfig(configSchema);
