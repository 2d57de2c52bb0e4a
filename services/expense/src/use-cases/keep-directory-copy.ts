import type { EventHandlers } from '@countersign/platform';
import { recordPersonSnapshot } from '../db/person-queries.js';
import type { ExpenseDatabase } from '../db/types.js';

/**
 * Keeps the expense service's copy of the directory (who is in which company, active or
 * not, under which name) from the approval service's user events. Each carries the whole
 * snapshot with its revision, and the highest revision wins: order and repeats do not matter.
 */
export const keepDirectoryCopy: EventHandlers<ExpenseDatabase> = {
  UserAdded: (trx, event) => recordPersonSnapshot(trx, event.company_id, event.data.user),
  UserChanged: (trx, event) => recordPersonSnapshot(trx, event.company_id, event.data.user),
  UserDeactivated: (trx, event) => recordPersonSnapshot(trx, event.company_id, event.data.user),
};
