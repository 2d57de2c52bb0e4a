import type { Delegation } from '@countersign/contracts';
import type { DelegationRow } from './delegation-queries.js';

export function toDelegation(row: DelegationRow): Delegation {
  return {
    id: row.id,
    delegator_id: row.delegator_id,
    delegator_name: row.delegator_name,
    delegate_id: row.delegate_id,
    delegate_name: row.delegate_name,
    starts_on: row.starts_on,
    ends_on: row.ends_on,
    max_amount: row.max_amount,
    categories: row.categories,
    created_at: row.created_at.toISOString(),
    revoked_at: row.revoked_at?.toISOString() ?? null,
  };
}
