import type { EventOf, ExpenseMoney, ExpenseSource, RoutingDecision } from '@countersign/contracts';
import { newEvent, UnprocessableError, UpstreamError } from '@countersign/platform';

/** The expense as routed, as the event announcing its routing outcome needs it. */
export interface RoutedExpense {
  id: string;
  companyId: string;
  submitterId: string;
  amount: string;
  description: string;
  workspaceId: string | null;
  /** 1 at submit, then one more per resubmission. */
  round: number;
  /** What the expense is, beyond its base amount: announced alike by every outcome. */
  facts: {
    money: ExpenseMoney;
    category: string;
    vendor: string | null;
    spendDate: string;
    source: ExpenseSource;
  };
}

export type RoutingOutcomeEvent = EventOf<
  'ExpenseSubmitted' | 'ExpenseResubmitted' | 'ExpenseAutoApproved' | 'ExpenseBlocked'
>;

/**
 * The one event that announces how a submission or a resubmission routed: a chain
 * (ExpenseSubmitted, or ExpenseResubmitted from round 2), an approval by rule
 * (ExpenseAutoApproved) or a block (ExpenseBlocked). A resubmission announces exactly what
 * a submission would, with its round.
 */
export function announceRoutingOutcome(
  decision: RoutingDecision,
  expense: RoutedExpense,
  at: Date,
): RoutingOutcomeEvent {
  const about = {
    companyId: expense.companyId,
    actor: { kind: 'user', id: expense.submitterId } as const,
    subject: expense.id,
    occurredAt: at,
  };
  const shared = {
    expense_id: expense.id,
    submitter: decision.submitter,
    amount: expense.amount,
    description: expense.description,
    policy: decision.policy,
    ...(expense.workspaceId !== null ? { workspace_id: expense.workspaceId } : {}),
    ...(decision.flags?.length ? { flags: decision.flags } : {}),
    // The rules as evaluated, so the approval service need not evaluate them again.
    ...(decision.rule_trace ? { rule_trace: decision.rule_trace } : {}),
    money: expense.facts.money,
    category: expense.facts.category,
    ...(expense.facts.vendor ? { vendor: expense.facts.vendor } : {}),
    spend_date: expense.facts.spendDate,
    source: expense.facts.source,
  };
  const later = expense.round > 1 ? { round: expense.round } : {};
  if (decision.outcome === 'block') {
    const version = decision.policy.version;
    if (!decision.block || version === undefined) {
      throw new UpstreamError('the approval service blocked the expense without saying by what');
    }
    return newEvent('ExpenseBlocked', {
      ...about,
      data: {
        ...shared,
        policy: { ...decision.policy, version },
        round: expense.round,
        rule: decision.block.rule,
        reason: decision.block.reason,
        blocked_at: at.toISOString(),
      },
    });
  }
  if (decision.outcome === 'auto_approve') {
    return newEvent('ExpenseAutoApproved', {
      ...about,
      data: { ...shared, ...later, approved_at: at.toISOString() },
    });
  }
  if (expense.round > 1) {
    return newEvent('ExpenseResubmitted', {
      ...about,
      data: {
        ...shared,
        round: expense.round,
        chain: decision.chain,
        resubmitted_at: at.toISOString(),
      },
    });
  }
  return newEvent('ExpenseSubmitted', {
    ...about,
    data: { ...shared, chain: decision.chain, submitted_at: at.toISOString() },
  });
}

/**
 * The refusal a blocked expense is answered with: 422 as before, so clients see the same
 * refusal, but the expense is on record, so the problem names it (RFC 9457 extension
 * members `expense_id` and `reason`).
 */
export class BlockedByPolicyError extends UnprocessableError {
  constructor(expenseId: string, policyName: string, reason: string) {
    super(`blocked by policy "${policyName}": ${reason}`, 'blocked-by-policy', {
      extensions: { expense_id: expenseId, reason },
    });
  }
}
