import type { Kysely, Transaction } from 'kysely';
import type { ExpenseDatabase, ExpenseRow, PayoutTable } from './types.js';

type Db = Kysely<ExpenseDatabase>;
type Trx = Transaction<ExpenseDatabase>;

/**
 * The payout a batch joins: a new one, or, when finance names a reference the company
 * already used, that one (so a retried batch is a replay, not a second payment). Two
 * batches racing with one new reference: the second waits on the unique index, then
 * reads the first's.
 */
export async function openPayout(trx: Trx, payout: PayoutTable): Promise<PayoutTable> {
  const inserted = await trx
    .insertInto('payout')
    .values(payout)
    .onConflict((oc) => oc.columns(['company_id', 'reference']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return inserted;
  return trx
    .selectFrom('payout')
    .selectAll()
    .where('company_id', '=', payout.company_id)
    .where('reference', '=', payout.reference)
    .executeTakeFirstOrThrow();
}

/** The company's expenses among `ids`, locked in id order (two batches never deadlock). */
export async function lockExpensesToPay(
  trx: Trx,
  companyId: string,
  ids: readonly string[],
): Promise<ExpenseRow[]> {
  return trx
    .selectFrom('expense')
    .selectAll()
    .where('company_id', '=', companyId)
    .where('id', 'in', [...ids])
    .orderBy('id')
    .forUpdate()
    .execute();
}

/** Marks the approved expenses paid in the payout; the use case adds one ExpensePaid each. */
export async function markPaid(
  trx: Trx,
  ids: readonly string[],
  payout: { id: string; paidBy: string; paidAt: Date },
): Promise<void> {
  if (ids.length === 0) return;
  await trx
    .updateTable('expense')
    .set({
      status: 'paid',
      payout_id: payout.id,
      paid_by: payout.paidBy,
      paid_at: payout.paidAt,
    })
    .where('id', 'in', [...ids])
    .where('status', '=', 'approved')
    .execute();
}

/** A payout of the company with the expenses it paid, oldest payment first. */
export async function findPayoutWithExpenses(db: Db, companyId: string, payoutId: string) {
  const payout = await db
    .selectFrom('payout')
    .selectAll()
    .where('id', '=', payoutId)
    .where('company_id', '=', companyId)
    .executeTakeFirst();
  if (!payout) return undefined;
  const expenses = await db
    .selectFrom('expense')
    .selectAll()
    .where('company_id', '=', companyId)
    .where('payout_id', '=', payoutId)
    .orderBy('paid_at')
    .orderBy('id')
    .execute();
  return { payout, expenses };
}
