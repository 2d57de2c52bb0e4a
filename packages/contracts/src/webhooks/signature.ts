import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures in the Standard Webhooks style: HMAC-SHA256 over
 * `<webhook-id>.<webhook-timestamp>.<body>` with the secret's bytes (the base64 after
 * `whsec_`), sent as `webhook-signature: v1,<base64>`; during a secret rotation the header
 * lists one signature per live secret, separated by spaces.
 */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';
/** How far a delivery's timestamp may be from the verifier's clock, by default. */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

function secretKey(secret: string): Buffer {
  if (!secret.startsWith(WEBHOOK_SECRET_PREFIX)) {
    throw new Error(`a webhook secret starts with "${WEBHOOK_SECRET_PREFIX}"`);
  }
  return Buffer.from(secret.slice(WEBHOOK_SECRET_PREFIX.length), 'base64');
}

/** The base64 HMAC of one message with one secret. */
export function webhookSignature(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): string {
  return createHmac('sha256', secretKey(secret))
    .update(`${id}.${timestampSeconds}.${body}`)
    .digest('base64');
}

/** The three headers of one delivery attempt, signed with every live secret. */
export function signWebhook(
  secrets: readonly string[],
  id: string,
  timestampSeconds: number,
  body: string,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestampSeconds),
    'webhook-signature': secrets
      .map((secret) => `v1,${webhookSignature(secret, id, timestampSeconds, body)}`)
      .join(' '),
  };
}

export type WebhookVerification =
  | { ok: true; id: string; timestamp: number }
  | {
      ok: false;
      reason: 'missing-headers' | 'timestamp-out-of-tolerance' | 'no-matching-signature';
    };

export interface VerifyWebhookOptions {
  /** Your secret(s); during a rotation pass both, either one matching is enough. */
  secrets: readonly string[];
  /** The request headers (lower-case names, as Node and fetch give them). */
  headers: Readonly<Record<string, string | string[] | undefined>> | Headers;
  /** The raw body exactly as received: re-serialised JSON would not match. */
  body: string;
  toleranceSeconds?: number;
  now?: Date;
}

function header(headers: VerifyWebhookOptions['headers'], name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * For subscribers: checks a delivery. It refuses a timestamp further than the tolerance
 * from `now` (a replay), and accepts when any listed `v1` signature matches any of your
 * secrets, compared in constant time.
 */
export function verifyWebhook(options: VerifyWebhookOptions): WebhookVerification {
  const id = header(options.headers, 'webhook-id');
  const timestampText = header(options.headers, 'webhook-timestamp');
  const signatures = header(options.headers, 'webhook-signature');
  if (!id || !timestampText || !signatures || !/^\d{1,12}$/.test(timestampText)) {
    return { ok: false, reason: 'missing-headers' };
  }
  const timestamp = Number(timestampText);
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const tolerance = options.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
  if (Math.abs(nowSeconds - timestamp) > tolerance) {
    return { ok: false, reason: 'timestamp-out-of-tolerance' };
  }
  const offered = signatures
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .map((entry) => Buffer.from(entry.slice(3), 'base64'));
  for (const secret of options.secrets) {
    const expected = Buffer.from(webhookSignature(secret, id, timestamp, options.body), 'base64');
    for (const candidate of offered) {
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) {
        return { ok: true, id, timestamp };
      }
    }
  }
  return { ok: false, reason: 'no-matching-signature' };
}
