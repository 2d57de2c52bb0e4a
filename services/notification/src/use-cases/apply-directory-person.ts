import type { UserSnapshot } from '@countersign/contracts';
import { refuseForeignEvent } from '@countersign/platform';
import type { Transaction } from 'kysely';
import { personCompany, upsertPerson } from '../db/people-queries.js';
import type { NotificationDatabase } from '../db/types.js';

/**
 * Keeps this service's copy of a directory person (role, address, active) at the newest
 * snapshot: who is finance, and where their mail goes. An event naming another company
 * than the stored person's is refused (dead-lettered), never applied.
 */
export async function applyDirectoryPerson(
  trx: Transaction<NotificationDatabase>,
  event: { company_id: string; data: { user: UserSnapshot } },
): Promise<void> {
  const { user } = event.data;
  refuseForeignEvent(
    event.company_id,
    await personCompany(trx, user.user_id),
    `person ${user.user_id}`,
  );
  await upsertPerson(trx, event.company_id, user);
}
