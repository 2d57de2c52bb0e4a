import type { EventHandlers } from '@countersign/platform';
import { recordPersonSnapshot } from '../db/person-queries.js';
import {
  deactivatePolicyCopy,
  markCopyWhole,
  recordLevelCopy,
  recordPolicyCopy,
} from '../db/routing-copy-queries.js';
import type { ExpenseDatabase } from '../db/types.js';

/**
 * Keeps the expense service's copy of what routing reads (levels, policies; people are
 * kept by keepDirectoryCopy) from the approval service's events, so a submission is routed
 * here without asking the approval service. Every item is newer-wins (policy version,
 * level `as_of`, person revision), so events and snapshot parts may arrive in any order and
 * any number of times, on any replica. A snapshot makes the company's copy whole.
 */
export const keepRoutingCopy: EventHandlers<ExpenseDatabase> = {
  LevelCreated: (trx, event) =>
    recordLevelCopy(trx, event.company_id, event.data.level, new Date(event.occurred_at)),
  LevelRenamed: (trx, event) =>
    recordLevelCopy(
      trx,
      event.company_id,
      { id: event.data.level_id, number: event.data.number, name: event.data.name },
      new Date(event.occurred_at),
    ),
  PolicyCreated: (trx, event) =>
    recordPolicyCopy(trx, event.company_id, { ...event.data.policy, active: true }),
  PolicyVersioned: (trx, event) =>
    recordPolicyCopy(trx, event.company_id, { ...event.data.policy, active: true }),
  PolicyDeactivated: (trx, event) =>
    deactivatePolicyCopy(trx, event.company_id, event.data.policy_id, event.data.version),
  RoutingSnapshotTaken: async (trx, event) => {
    const { data } = event;
    const takenAt = new Date(data.taken_at);
    for (const level of data.levels) await recordLevelCopy(trx, event.company_id, level, takenAt);
    for (const policy of data.policies) await recordPolicyCopy(trx, event.company_id, policy);
    for (const person of data.people) await recordPersonSnapshot(trx, event.company_id, person);
    // A company of more than one part is marked whole by its last part; on replicas an
    // earlier part may still be committing then: a moment of a stale copy, which the
    // approval service's re-check at storage covers as for any other.
    if (data.part === data.parts) await markCopyWhole(trx, event.company_id, takenAt);
  },
};
