import { type Kysely, sql } from 'kysely';
import type { ApprovalDatabase } from './types.js';

export const MAX_SIMULATED = 5000;

/**
 * The company's past routes for a simulation, newest first, at most MAX_SIMULATED: each
 * chain with its amount, category (the policy's for chains older than the column), the
 * submitter as the directory knows them now, and its approvers in step order.
 */
export async function listPastRoutes(
  db: Kysely<ApprovalDatabase>,
  companyId: string,
  filter: { category?: string | undefined; from?: string | undefined; to?: string | undefined },
) {
  let query = db
    .selectFrom('chain')
    .innerJoin('policy', 'policy.id', 'chain.policy_id')
    .innerJoin('person', 'person.id', 'chain.submitter_id')
    .innerJoin('level', 'level.id', 'person.level_id')
    .select([
      'chain.expense_id',
      'chain.amount',
      'chain.created_at',
      'chain.workspace_id',
      'chain.submitter_id',
      'chain.status',
      sql<string | null>`chain.explanation->>'block_reason'`.as('block_reason'),
      'person.role',
      'level.number as level_number',
      sql<string>`coalesce(chain.category, policy.category)`.as('category'),
      sql<string>`coalesce(chain.submitter_team_id, person.team_id)`.as('team_id'),
    ])
    // A builder subquery, so the step table gets the service's schema (raw SQL would not).
    .select((eb) =>
      eb.fn
        .coalesce(
          eb
            .selectFrom('chain_step as s')
            .select(sql<string[]>`array_agg(s.approver_id order by s.step)`.as('ids'))
            .whereRef('s.expense_id', '=', 'chain.expense_id'),
          sql<string[]>`'{}'::uuid[]`,
        )
        .as('approver_ids'),
    )
    .where('chain.company_id', '=', companyId);
  if (filter.category !== undefined) {
    query = query.where(
      sql<string>`coalesce(chain.category, policy.category)`,
      '=',
      filter.category,
    );
  }
  if (filter.from !== undefined)
    query = query.where('chain.created_at', '>=', new Date(filter.from));
  if (filter.to !== undefined) query = query.where('chain.created_at', '<', new Date(filter.to));
  return query
    .orderBy('chain.created_at', 'desc')
    .orderBy('chain.expense_id')
    .limit(MAX_SIMULATED)
    .execute();
}
