import type { EventOf } from '@countersign/contracts';
import { enqueueEvents, newEvent } from '@countersign/platform';
import type { Transaction } from 'kysely';
import { listLevels } from '../db/org-queries.js';
import { listCurrentPolicies } from '../db/policy-queries.js';
import { companyExists, listUserSnapshots } from '../db/routing-snapshot-queries.js';
import type { ApprovalDatabase } from '../db/types.js';

/** People per RoutingSnapshotTaken part: keeps one message well under NATS's 1 MB default. */
const PEOPLE_PER_PART = 500;

/**
 * Announces everything routing reads of one company (levels, people, policies at their
 * current versions) in the caller's transaction, so it is consistent with the change that
 * asked for it (a company set up, the demo seeded). Not an audit entry: it changes nothing.
 */
export async function announceRoutingSnapshot(
  trx: Transaction<ApprovalDatabase>,
  companyId: string,
  takenAt: Date,
): Promise<void> {
  await enqueueEvents(trx, await routingSnapshotEvents(trx, companyId, takenAt));
}

export async function routingSnapshotEvents(
  trx: Transaction<ApprovalDatabase>,
  companyId: string,
  takenAt: Date,
): Promise<EventOf<'RoutingSnapshotTaken'>[]> {
  const [levels, people, policies] = await Promise.all([
    listLevels(trx, companyId),
    listUserSnapshots(trx, companyId),
    listCurrentPolicies(trx, companyId, { activeOnly: false }),
  ]);
  const parts = Math.max(1, Math.ceil(people.length / PEOPLE_PER_PART));
  return Array.from({ length: parts }, (_, index) =>
    newEvent('RoutingSnapshotTaken', {
      companyId,
      actor: { kind: 'system', id: 'approval' },
      subject: companyId,
      occurredAt: takenAt,
      data: {
        taken_at: takenAt.toISOString(),
        part: index + 1,
        parts,
        levels,
        people: people.slice(index * PEOPLE_PER_PART, (index + 1) * PEOPLE_PER_PART),
        policies: policies.map((p) => ({
          id: p.id,
          name: p.name,
          category: p.category,
          active: p.active,
          version: p.version,
          rules: p.rules,
        })),
      },
    }),
  );
}

/**
 * Answers a RoutingSnapshotRequested (a service that routes from a copy has none of this
 * company yet: an upgrade, or a copy lost) in the consumer's transaction. A company this
 * service does not know gets nothing.
 */
export async function answerRoutingSnapshotRequest(
  trx: Transaction<ApprovalDatabase>,
  companyId: string,
  takenAt: Date,
): Promise<void> {
  if (!(await companyExists(trx, companyId))) return;
  await announceRoutingSnapshot(trx, companyId, takenAt);
}
