import type { ExpenseAutoApprovedV1 } from '@countersign/contracts';
import type { Transaction } from 'kysely';
import { insertAutoApprovedChain, newChainOf } from '../db/chain-queries.js';
import { listTeamOf } from '../db/directory-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { explainSubmittedRoute } from './explain-submitted-route.js';

/** Keeps the route of an expense a policy approved at once, with its explanation. */
export async function recordAutoApproval(
  trx: Transaction<ApprovalDatabase>,
  event: ExpenseAutoApprovedV1,
): Promise<void> {
  const { data } = event;
  const team = await listTeamOf(trx, event.company_id, data.submitter.id);
  await insertAutoApprovedChain(
    trx,
    newChainOf(
      event.company_id,
      data,
      await explainSubmittedRoute(trx, event.company_id, data, team, []),
    ),
    new Date(data.approved_at),
  );
}
