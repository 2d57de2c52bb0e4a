import type { ChainStep, ExpenseSubmittedV1 } from '@countersign/contracts';
import { auditRecordsOf, DomainError, newEvent, outboxRows } from '@countersign/platform';
import {
  decidedStages,
  type Person,
  type ResolvedStep,
  resolveSteps,
  type StepsResolution,
  toChainStep,
} from '@countersign/routing';
import type { Transaction } from 'kysely';
import { insertChain, newChainOf } from '../db/chain-store.js';
import { listCandidates, listCompanyPeople, listTeamOf } from '../db/directory-queries.js';
import { lockCompanyDirectory } from '../db/org-queries.js';
import type { ApprovalDatabase } from '../db/types.js';
import { recordAudit } from '../outbox/audit.js';
import { enqueue } from '../outbox/enqueue.js';
import { explainSubmittedRoute } from './explain-submitted-route.js';

const system = { kind: 'system', id: 'approval' } as const;

/** What a submission or resubmission decided: who submitted, and the chain. */
interface DecidedChain {
  submitter: { id: string; team_id: string };
  chain: ChainStep[];
}

/**
 * Stores the chain an expense was accepted with. Each decided approver is re-checked
 * against the directory as it is now: one who left or moved is replaced by the next
 * eligible approver and the change is announced; if a step has nobody left, routing fails
 * and the expense is refused by event. The explanation of the route is stored with it.
 */
export async function storeChain(
  trx: Transaction<ApprovalDatabase>,
  event: ExpenseSubmittedV1,
  now: Date,
): Promise<void> {
  const { data } = event;
  // Every event this emits is the approval service's own statement about this expense.
  const about = { companyId: event.company_id, actor: system, subject: data.expense_id };
  // Waits for an org change in progress, so the chain is routed on the directory after it.
  await lockCompanyDirectory(trx, event.company_id, 'shared');
  let people: Person[];
  let resolved: StepsResolution;
  try {
    ({ people, resolved } = await recheckDecidedChain(trx, event.company_id, data));
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    await enqueue(trx, [
      newEvent('ExpenseRoutingFailed', {
        ...about,
        data: {
          expense_id: data.expense_id,
          submitter_id: data.submitter.id,
          reason: error.message,
        },
      }),
    ]);
    return;
  }
  const first = resolved.chain[0];
  if (!first) return;
  const events = routedEvents(event.company_id, data, resolved, first);
  // The outbox rows go into the chain's own insert statement (one round trip on the
  // submit path); the audit entries follow it, as the transaction's last write.
  await insertChain(
    trx,
    newChainOf(
      event.company_id,
      data,
      await explainSubmittedRoute(trx, event.company_id, data, async () => people, resolved.steps),
    ),
    resolved.chain,
    outboxRows(events),
    now,
  );
  await recordAudit(trx, auditRecordsOf(events));
}

/**
 * Re-checks a decided chain against the directory as it is now, by the rules its steps
 * were decided with (level, role or named user): a decided approver who is still eligible
 * keeps the step, anyone else's step goes to the next eligible person. Throws the
 * refusal when a required step has nobody left.
 */
export async function recheckDecidedChain(
  trx: Transaction<ApprovalDatabase>,
  companyId: string,
  data: DecidedChain,
): Promise<{ people: Person[]; resolved: StepsResolution }> {
  const { steps, preferred } = decidedStages(data.chain);
  const reachesCompany = steps.some(
    (s) => s.approver.by !== 'level' || s.approver.scope === 'company',
  );
  // The submitter's team as the directory has it now: the route was decided from expense's
  // copy, which may not have seen a move yet (the submitter's own included).
  const people = reachesCompany
    ? await listCompanyPeople(trx, companyId)
    : (await listTeamOf(trx, companyId, data.submitter.id)).filter((person) => person.active);
  const teamId =
    people.find((person) => person.id === data.submitter.id)?.teamId ?? data.submitter.team_id;
  const candidates =
    reachesCompany || people.length > 0
      ? people
      : await listCandidates(trx, companyId, teamId, ['submitter']);
  const resolved = resolveSteps(steps, { id: data.submitter.id, teamId }, candidates, preferred);
  return { people: candidates, resolved };
}

/**
 * What storing a chain announces: the chain as stored (with the approvers replaced since
 * the decision, and why), and a request to every seat of the first stage (`first`'s).
 * `round` only from the second on.
 */
export function routedEvents(
  companyId: string,
  data: DecidedChain & {
    expense_id: string;
    submitter: { name: string };
    amount: string;
    description: string;
    round?: number;
  },
  resolved: StepsResolution,
  first: ResolvedStep,
) {
  const about = { companyId, actor: system, subject: data.expense_id };
  const round = data.round === undefined ? {} : { round: data.round };
  return [
    newEvent('ExpenseRouted', {
      ...about,
      data: {
        expense_id: data.expense_id,
        submitter_id: data.submitter.id,
        chain: resolved.chain.map(toChainStep),
        adjustments: resolved.adjustments.map((a) => ({
          step: a.step,
          previous_approver_id: a.previousApproverId,
          approver_id: a.approverId,
          reason: a.reason,
        })),
        ...round,
      },
    }),
    ...resolved.chain
      .filter((seat) => seat.stage === first.stage)
      .map((seat, _index, seats) =>
        newEvent('ApprovalRequested', {
          ...about,
          data: {
            expense_id: data.expense_id,
            step: seat.step,
            approver_id: seat.approverId,
            submitter_id: data.submitter.id,
            submitter_name: data.submitter.name,
            amount: data.amount,
            description: data.description,
            ...round,
            stage: seat.stage,
            needs: seat.needs,
            seats: seats.length,
          },
        }),
      ),
  ];
}
