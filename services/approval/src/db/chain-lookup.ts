import { type Kysely, sql } from 'kysely';
import type { ApprovalDatabase } from './types.js';

/** Reads of one chain by what names it: a seat's approval id, or its expense. */

/** The expense and step a seed-002 approval id names, within the caller's company. */
export async function findStepById(db: Kysely<ApprovalDatabase>, companyId: string, id: string) {
  return db
    .selectFrom('chain_step')
    .innerJoin('chain', 'chain.expense_id', 'chain_step.expense_id')
    .select(['chain_step.expense_id', 'chain_step.step', 'chain.round'])
    .where('chain_step.id', '=', id)
    .where('chain.company_id', '=', companyId)
    .executeTakeFirst();
}

/** A chain's recorded route, with everyone who has held one of its steps. */
export async function findChainExplanation(
  db: Kysely<ApprovalDatabase>,
  companyId: string,
  expenseId: string,
) {
  return db
    .selectFrom('chain')
    .select([
      'chain.expense_id',
      'chain.status',
      'chain.submitter_id',
      'chain.policy_id',
      'chain.policy_name',
      'chain.policy_version',
      'chain.flags',
      'chain.explanation',
    ])
    .select((eb) =>
      eb.fn
        .coalesce(
          eb
            .selectFrom('chain_step')
            .select(sql<string[]>`array_agg(approver_id)`.as('ids'))
            .whereRef('chain_step.expense_id', '=', 'chain.expense_id'),
          sql<string[]>`'{}'::uuid[]`,
        )
        .as('approver_ids'),
    )
    .where('chain.expense_id', '=', expenseId)
    .where('chain.company_id', '=', companyId)
    .executeTakeFirst();
}
