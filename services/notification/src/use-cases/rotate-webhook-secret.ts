import type { AccessClaims, RotatedWebhookSecret } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import type { NotificationDatabase } from '../db/types.js';
import { findEndpoint } from '../db/webhook-rows.js';
import { newWebhookSecret, SECRET_OVERLAP_MS } from '../domain/webhook-secret.js';
import { recordAudit } from '../outbox/audit.js';

/**
 * Issues a new secret (shown once). The one it replaces keeps signing beside it for 24 h,
 * so subscribers can switch without missing a delivery; a rotation within those 24 h
 * retires the oldest of the three at once.
 */
export async function rotateWebhookSecret(
  deps: { db: Kysely<NotificationDatabase>; now: () => Date },
  caller: AccessClaims,
  id: string,
): Promise<RotatedWebhookSecret> {
  const now = deps.now();
  const expiresAt = new Date(now.getTime() + SECRET_OVERLAP_MS);
  const secret = newWebhookSecret();
  await deps.db.transaction().execute(async (trx) => {
    const current = await findEndpoint(trx, caller.company_id, id, true);
    await trx
      .updateTable('webhook_endpoint')
      .set({
        secret,
        previous_secret: current.secret,
        previous_secret_expires_at: expiresAt,
        updated_at: now,
      })
      .where('id', '=', id)
      .execute();
    // When, not what: neither secret enters the trail.
    await recordAudit(trx, {
      companyId: caller.company_id,
      actor: { kind: 'user', id: caller.sub },
      action: 'webhook.secret_rotated',
      entity: { type: 'webhook', id },
      after: { previous_secret_expires_at: expiresAt.toISOString() },
    });
  });
  return { secret, previous_secret_expires_at: expiresAt.toISOString() };
}
