import { enqueueEvents, newEvent } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { claimCopyRequests } from '../db/routing-copy-queries.js';
import type { ExpenseDatabase } from '../db/types.js';

/**
 * Asks the approval service for a snapshot of each company this service knows but has no
 * routing copy of (a deployment upgraded to keep one), once per company: the claims and the
 * requests commit together, and of racing replicas each company is claimed once. Companies
 * set up later get their snapshot without asking. Returns how many were asked.
 */
export async function requestRoutingCopies(
  db: Kysely<ExpenseDatabase>,
  now: Date,
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const companies = await claimCopyRequests(trx, now);
    // A request changes nothing here: it goes to the outbox, not the audit trail.
    await enqueueEvents(
      trx,
      companies.map((companyId) =>
        newEvent('RoutingSnapshotRequested', {
          companyId,
          actor: { kind: 'system', id: 'expense' },
          subject: companyId,
          data: { reason: 'the expense service has no routing copy of this company' },
        }),
      ),
    );
    return companies.length;
  });
}
