import { type Kysely, sql, type Transaction } from 'kysely';
import type { NotificationDatabase, PendingApprovalTable } from './types.js';

type Trx = Transaction<NotificationDatabase>;

/**
 * Records a seat waiting for its approver (or moves it to a new one), unless the seat or
 * its whole round is already settled.
 */
export async function recordPending(trx: Trx, row: PendingApprovalTable): Promise<void> {
  // Parameters in a SELECT list have no type of their own: each is cast to its column's.
  const values = trx.selectNoFrom([
    sql<string>`${row.expense_id}::uuid`.as('expense_id'),
    sql<number>`${row.round}::int`.as('round'),
    sql<number>`${row.step}::int`.as('step'),
    sql<string>`${row.company_id}::uuid`.as('company_id'),
    sql<string>`${row.approver_id}::uuid`.as('approver_id'),
    sql<string>`${row.submitter_name}::text`.as('submitter_name'),
    sql<string>`${row.description}::text`.as('description'),
    sql<string>`${row.amount}::text`.as('amount'),
    sql<Date>`${row.requested_at}::timestamptz`.as('requested_at'),
  ]);
  await trx
    .insertInto('pending_approval')
    .columns([
      'expense_id',
      'round',
      'step',
      'company_id',
      'approver_id',
      'submitter_name',
      'description',
      'amount',
      'requested_at',
    ])
    .expression(
      values.where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('settled_approval')
              .select(sql.lit(1).as('one'))
              .where('settled_approval.expense_id', '=', row.expense_id)
              .where('settled_approval.round', '=', row.round)
              .where('settled_approval.step', 'in', [0, row.step]),
          ),
        ),
      ),
    )
    .onConflict((oc) =>
      oc.columns(['expense_id', 'round', 'step']).doUpdateSet((eb) => ({
        approver_id: eb.ref('excluded.approver_id'),
        requested_at: eb.ref('excluded.requested_at'),
      })),
    )
    .execute();
}

/** Settles some seats of a round (`[0]`: the whole round) and forgets them as pending. */
export async function settle(
  trx: Trx,
  expenseId: string,
  round: number,
  steps: number[],
): Promise<void> {
  await trx
    .insertInto('settled_approval')
    .values(steps.map((step) => ({ expense_id: expenseId, round, step })))
    .onConflict((oc) => oc.doNothing())
    .execute();
  let gone = trx
    .deleteFrom('pending_approval')
    .where('expense_id', '=', expenseId)
    .where('round', '=', round);
  if (!steps.includes(0)) gone = gone.where('step', 'in', steps);
  await gone.execute();
}

/** What waits for one approver, oldest first. */
export function pendingFor(db: Kysely<NotificationDatabase> | Trx, approverId: string) {
  return db
    .selectFrom('pending_approval')
    .select(['expense_id', 'submitter_name', 'description', 'amount', 'requested_at'])
    .where('approver_id', '=', approverId)
    .orderBy('requested_at')
    .orderBy('expense_id')
    .execute();
}
