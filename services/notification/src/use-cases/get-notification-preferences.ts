import type { AccessClaims, NotificationPreferences } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import { storedPreferences } from '../db/preference-queries.js';
import type { NotificationDatabase } from '../db/types.js';
import { effectivePreferences } from '../domain/preferences.js';

/** Every kind with the caller's setting, the default where they changed nothing. */
export async function getNotificationPreferences(
  db: Kysely<NotificationDatabase>,
  caller: AccessClaims,
): Promise<NotificationPreferences> {
  const stored = await storedPreferences(db, [caller.sub]);
  return { preferences: effectivePreferences(stored.get(caller.sub) ?? []) };
}
