import { randomBytes } from 'node:crypto';
import { WEBHOOK_SECRET_PREFIX } from '@countersign/contracts';

/** 32 random bytes, in the Standard Webhooks form `whsec_<base64>`. */
export function newWebhookSecret(random: (size: number) => Buffer = randomBytes): string {
  return `${WEBHOOK_SECRET_PREFIX}${random(32).toString('base64')}`;
}

/** How long a rotated-out secret keeps signing beside the new one. */
export const SECRET_OVERLAP_MS = 24 * 60 * 60 * 1000;
