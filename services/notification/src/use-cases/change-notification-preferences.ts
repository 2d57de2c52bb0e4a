import type {
  AccessClaims,
  NotificationPreferences,
  UpdateNotificationPreferences,
} from '@countersign/contracts';
import { type Kysely, sql } from 'kysely';
import { savePreferences, storedPreferences } from '../db/preference-queries.js';
import type { NotificationDatabase } from '../db/types.js';
import { applyChange, defaultPreference, effectivePreferences } from '../domain/preferences.js';
import { recordAudit } from '../outbox/audit.js';

/**
 * Changes the named channels of the named kinds for the caller, leaving the rest as they
 * were. The caller's settings are locked (by an advisory lock, since there may be no
 * row yet) while read and written, so two changes to different channels of one kind both hold.
 */
export async function changeNotificationPreferences(
  db: Kysely<NotificationDatabase>,
  caller: AccessClaims,
  request: UpdateNotificationPreferences,
): Promise<NotificationPreferences> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(hashtext(${`notification-preferences:${caller.sub}`}))`.execute(
      trx,
    );
    const current = effectivePreferences(
      (await storedPreferences(trx, [caller.sub])).get(caller.sub) ?? [],
    );
    const changed = request.preferences.map((change) =>
      applyChange(
        current.find((p) => p.kind === change.kind) ?? defaultPreference(change.kind),
        change,
      ),
    );
    await savePreferences(trx, { userId: caller.sub, companyId: caller.company_id }, changed);
    const kinds = new Set(changed.map((p) => p.kind));
    await recordAudit(trx, {
      companyId: caller.company_id,
      actor: { kind: 'user', id: caller.sub },
      action: 'notification_preferences.changed',
      entity: { type: 'notification_preferences', id: caller.sub },
      before: current.filter((p) => kinds.has(p.kind)),
      after: changed,
    });
    const byKind = new Map(changed.map((p) => [p.kind, p]));
    return { preferences: current.map((p) => byKind.get(p.kind) ?? p) };
  });
}
