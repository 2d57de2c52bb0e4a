import type { Transaction } from 'kysely';
import {
  insertSettledChain,
  lockChain,
  newChainOf,
  newRoundOf,
  type SettledAtOnce,
  type SubmittedExpense,
  settleChainRound,
} from '../db/chain-queries.js';
import { listTeamOf } from '../db/directory-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { acceptsResubmission } from '../domain/decide.js';
import { explainSubmittedRoute, type Routed } from './explain-submitted-route.js';

/**
 * Records an expense a policy rule settled with no approver asked (approved or blocked),
 * with the explanation of its route. Round 1 is a new chain; a later round settles the
 * chain that was sent back, exactly when a new round would start on it (the same guard
 * as a resubmission: a replayed or late event, or one that lost to a withdrawal, changes
 * nothing).
 */
export async function settleRoutedExpense(
  trx: Transaction<ApprovalDatabase>,
  companyId: string,
  data: SubmittedExpense & Pick<Routed, 'rule_trace'> & { round: number },
  status: SettledAtOnce,
  at: Date,
): Promise<void> {
  if (data.round > 1) {
    const chain = await lockChain(trx, companyId, data.expense_id);
    if (!chain || !acceptsResubmission(chain, data.round)) return;
  }
  const explanation = await explainSubmittedRoute(
    trx,
    companyId,
    data,
    () => listTeamOf(trx, companyId, data.submitter.id),
    [],
  );
  if (data.round === 1) {
    await insertSettledChain(trx, newChainOf(companyId, data, explanation), status, at);
  } else {
    await settleChainRound(trx, newRoundOf(data, explanation), status, at);
  }
}
