import type { AccessClaims, DelegationList } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import { listCompanyDelegations, listDelegationsOf } from '../db/delegation-queries.js';
import { toDelegation } from '../db/delegation-views.js';
import type { ApprovalDatabase } from '../db/types.js';

/** The caller's delegations, given and received; admins also see the whole company's. */
export async function listDelegations(
  db: Kysely<ApprovalDatabase>,
  caller: AccessClaims,
): Promise<DelegationList> {
  const mine = await listDelegationsOf(db, caller.company_id, caller.sub);
  const list: DelegationList = {
    given: mine.filter((d) => d.delegator_id === caller.sub).map(toDelegation),
    received: mine.filter((d) => d.delegate_id === caller.sub).map(toDelegation),
  };
  if (caller.role === 'admin') {
    list.company = (await listCompanyDelegations(db, caller.company_id)).map(toDelegation);
  }
  return list;
}
