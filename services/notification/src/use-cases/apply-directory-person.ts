import type { UserSnapshot } from '@countersign/contracts';
import type { Transaction } from 'kysely';
import { upsertPerson } from '../db/people-queries.js';
import type { NotificationDatabase } from '../db/types.js';

/**
 * Keeps this service's copy of a directory person (role, address, active) at the newest
 * snapshot: who is finance, and where their mail goes.
 */
export async function applyDirectoryPerson(
  trx: Transaction<NotificationDatabase>,
  event: { company_id: string; data: { user: UserSnapshot } },
): Promise<void> {
  await upsertPerson(trx, event.company_id, event.data.user);
}
