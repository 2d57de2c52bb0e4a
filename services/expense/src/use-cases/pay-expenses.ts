import type {
  AccessClaims,
  EventOf,
  PayoutItemResult,
  PayoutRefusal,
  PayoutRequest,
  PayoutResponse,
} from '@countersign/contracts';
import { newEvent } from '@countersign/platform';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { lockExpensesToPay, markPaid, openPayout } from '../db/payout-queries.js';
import type { ExpenseDatabase, ExpenseRow } from '../db/types.js';
import { decideLifecycle } from '../domain/expense-lifecycle.js';
import { expenseMoney } from '../domain/price-expense.js';
import { enqueue } from '../outbox/enqueue.js';

/**
 * Finance pays a batch of approved expenses: each becomes `paid` in one payout, with one
 * ExpensePaid each, all in one transaction (one commit, one fsync, for the batch). Each id
 * is answered on its own: paid, or refused because it is unknown to the caller's company
 * (or deleted, or someone's draft), not approved, already paid in another payout, or the
 * caller's own. Sending a payout's reference again replays it: expenses it already paid
 * are answered paid again, with no second event.
 */
export async function payExpenses(
  db: Kysely<ExpenseDatabase>,
  caller: AccessClaims,
  input: PayoutRequest,
  now: Date,
): Promise<PayoutResponse> {
  const ids = [...new Set(input.expense_ids)];
  return db.transaction().execute(async (trx) => {
    const payout = await openPayout(trx, {
      id: uuidv7(),
      company_id: caller.company_id,
      reference: input.reference ?? null,
      created_by: caller.sub,
      created_at: now,
    });
    const rows = new Map(
      (await lockExpensesToPay(trx, caller.company_id, ids)).map((row) => [row.id, row]),
    );
    const results: PayoutItemResult[] = [];
    const toPay: ExpenseRow[] = [];
    for (const id of ids) {
      const row = rows.get(id);
      if (row?.status === 'paid' && row.payout_id === payout.id && row.paid_at) {
        // A replay of this payout: already done, harmless.
        results.push({ expense_id: id, outcome: 'paid', paid_at: row.paid_at.toISOString() });
        continue;
      }
      const refusal = refusalOf(row, caller);
      if (refusal) {
        results.push({ expense_id: id, outcome: 'refused', ...refusal });
        continue;
      }
      toPay.push(row as ExpenseRow);
      results.push({ expense_id: id, outcome: 'paid', paid_at: now.toISOString() });
    }
    await markPaid(
      trx,
      toPay.map((row) => row.id),
      { id: payout.id, paidBy: caller.sub, paidAt: now },
    );
    await enqueue(
      trx,
      toPay.map((row) => paidEvent(row, caller, payout, now)),
    );
    const paid = results.filter((r) => r.outcome === 'paid').length;
    return {
      payout_id: payout.id,
      reference: payout.reference,
      paid,
      refused: results.length - paid,
      results,
    };
  });
}

/** Why an expense cannot be paid now, by the lifecycle rules; undefined when it can. */
function refusalOf(
  row: ExpenseRow | undefined,
  caller: AccessClaims,
): { reason: PayoutRefusal; detail: string } | undefined {
  if (!row) return { reason: 'unknown', detail: 'no such expense in your company' };
  const verdict = decideLifecycle({ status: row.status, deleted: row.deleted_at !== null }, 'pay', {
    isSubmitter: row.submitter_id === caller.sub,
    role: caller.role,
  });
  if (verdict.allowed) return undefined;
  if (verdict.refusal === 'hidden') {
    return { reason: 'unknown', detail: 'no such expense in your company' };
  }
  if (verdict.refusal === 'forbidden') return { reason: 'own-expense', detail: verdict.detail };
  if (row.status === 'paid') {
    return { reason: 'already-paid', detail: `already paid in payout ${row.payout_id}` };
  }
  return { reason: 'not-approved', detail: verdict.detail };
}

function paidEvent(
  row: ExpenseRow,
  caller: AccessClaims,
  payout: { id: string; reference: string | null },
  now: Date,
): EventOf<'ExpensePaid'> {
  return newEvent('ExpensePaid', {
    companyId: caller.company_id,
    actor: { kind: 'user', id: caller.sub },
    subject: row.id,
    occurredAt: now,
    data: {
      expense_id: row.id,
      submitter_id: row.submitter_id,
      payout_id: payout.id,
      reference: payout.reference,
      amount: row.amount,
      money: expenseMoney(row),
      paid_by: caller.sub,
      paid_at: now.toISOString(),
    },
  });
}
