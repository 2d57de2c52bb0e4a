import type { ExpenseStatus, RoutingDecision } from '@countersign/contracts';

/** Where an expense stands once a routing decision is stored, at submit or resubmit. */
export interface RoutingSettlement {
  status: Extract<ExpenseStatus, 'pending' | 'approved' | 'blocked'>;
  /** Set when a rule settled it at once (approved or blocked): nobody is asked. */
  completedAt: Date | null;
  /** The blocking rule's reason, shown on the status document. */
  refusalReason: string | null;
}

/**
 * How a routing decision settles an expense: a chain leaves it pending, a rule that
 * approves or blocks settles it at `at`. A submission and a resubmission follow the same
 * rule, so a resubmitted round ends exactly as a new submission would.
 */
export function settlementOf(decision: RoutingDecision, at: Date): RoutingSettlement {
  if (decision.outcome === 'block') {
    return { status: 'blocked', completedAt: at, refusalReason: decision.block?.reason ?? null };
  }
  if (decision.outcome === 'auto_approve') {
    return { status: 'approved', completedAt: at, refusalReason: null };
  }
  return { status: 'pending', completedAt: null, refusalReason: null };
}

/**
 * Whether a withdrawal of `withdrawnRound` ends the expense. The approval service only
 * announces a withdrawal that won on its chain, so it ends an expense still pending or sent
 * back (whatever its round: a resubmission racing it lost there), and also one a rule
 * approved or blocked at a resubmission after that round (that resubmission lost too:
 * the chain was withdrawn before it arrived). An expense settled in the withdrawn round
 * itself, or one already final, is left as it is.
 */
export function withdrawalEnds(
  expense: { status: ExpenseStatus; round: number },
  withdrawnRound: number,
): boolean {
  if (expense.status === 'pending' || expense.status === 'sent_back') return true;
  const settledByRule = expense.status === 'approved' || expense.status === 'blocked';
  return settledByRule && expense.round > withdrawnRound;
}
