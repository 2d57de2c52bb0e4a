import type { ExpenseResubmittedV1 } from '@countersign/contracts';
import { DomainError, newEvent } from '@countersign/platform';
import type { Person, StepsResolution } from '@countersign/routing';
import type { Transaction } from 'kysely';
import { completeChain, lockChain, newRoundOf, replaceChainRound } from '../db/chain-queries.js';
import { lockCompanyDirectory } from '../db/org-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { acceptsResubmission } from '../domain/decide.js';
import { enqueue } from '../outbox/enqueue.js';
import { explainSubmittedRoute } from './explain-submitted-route.js';
import { recheckDecidedChain, routedEvents } from './store-chain.js';

const system = { kind: 'system', id: 'approval' } as const;

/**
 * Replaces a sent-back chain with the round the submitter resubmitted. The new decision is
 * re-checked against the directory exactly as the first chain was (`recheckDecidedChain`),
 * and the round records its policy version, flags and routing explanation as the first does.
 * Approvals of the previous round do not carry over: the edit may have changed what they
 * approved. A replayed event, or one arriving after a withdrawal won, changes nothing.
 */
export async function startNewRound(
  trx: Transaction<ApprovalDatabase>,
  event: ExpenseResubmittedV1,
  now: Date,
): Promise<void> {
  const { data } = event;
  const about = { companyId: event.company_id, actor: system, subject: data.expense_id };
  await lockCompanyDirectory(trx, event.company_id, 'shared');
  const chain = await lockChain(trx, event.company_id, data.expense_id);
  if (!chain || !acceptsResubmission(chain, data.round)) return;
  let people: Person[];
  let resolved: StepsResolution;
  try {
    ({ people, resolved } = await recheckDecidedChain(trx, event.company_id, data));
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    await completeChain(trx, data.expense_id, 'refused', now);
    await enqueue(trx, [
      newEvent('ExpenseRoutingFailed', {
        ...about,
        data: {
          expense_id: data.expense_id,
          submitter_id: data.submitter.id,
          reason: error.message,
          round: data.round,
        },
      }),
    ]);
    return;
  }
  const first = resolved.chain[0];
  if (!first) return;
  // The round records its policy version, flags and explanation, as the first chain does.
  const explanation = await explainSubmittedRoute(
    trx,
    event.company_id,
    data,
    async () => people,
    resolved.steps,
  );
  await replaceChainRound(trx, newRoundOf(data, explanation), resolved.chain, now);
  await enqueue(trx, [...routedEvents(event.company_id, data, resolved, first)]);
}
