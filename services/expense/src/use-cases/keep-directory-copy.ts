import type { UserSnapshot } from '@countersign/contracts';
import { type EventHandlers, refuseForeignEvent } from '@countersign/platform';
import type { Transaction } from 'kysely';
import { personCompany, recordPersonSnapshot } from '../db/person-queries.js';
import type { ExpenseDatabase } from '../db/types.js';

/**
 * Keeps the expense service's copy of the directory (who is in which company, active or
 * not, under which name) from the approval service's user events. Each carries the whole
 * snapshot with its revision, and the highest revision wins: order and repeats do not matter.
 * An event naming another company than the stored person's is refused (dead-lettered).
 */
export const keepDirectoryCopy: EventHandlers<ExpenseDatabase> = {
  UserAdded: (trx, event) => keepPerson(trx, event.company_id, event.data.user),
  UserChanged: (trx, event) => keepPerson(trx, event.company_id, event.data.user),
  UserDeactivated: (trx, event) => keepPerson(trx, event.company_id, event.data.user),
};

async function keepPerson(
  trx: Transaction<ExpenseDatabase>,
  companyId: string,
  user: UserSnapshot,
): Promise<void> {
  refuseForeignEvent(companyId, await personCompany(trx, user.user_id), `person ${user.user_id}`);
  await recordPersonSnapshot(trx, companyId, user);
}
