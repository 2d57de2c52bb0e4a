import { createHash } from 'node:crypto';
import type { Webhook } from '@countersign/contracts';

/**
 * A webhook as the audit trail keeps it. Receivers often put a credential in the URL's
 * path or query, and entries are never deleted and are read by auditors, who may not see
 * webhooks themselves: so only the origin is kept in clear, with a digest of the whole
 * URL that tells whether it changed and matches a URL one already knows.
 */
export function webhookAuditView(webhook: Webhook) {
  const { url, ...rest } = webhook;
  return {
    ...rest,
    url_origin: new URL(url).origin,
    url_sha256: createHash('sha256').update(url).digest('hex'),
  };
}
