import { ForbiddenError } from '@countersign/platform';
import { toCents } from '@countersign/routing';

export interface DelegationTerms {
  id: string;
  delegatorId: string;
  delegateId: string;
  /** `YYYY-MM-DD`, UTC, inclusive. */
  startsOn: string;
  endsOn: string;
  maxAmount: string | null;
  categories: readonly string[] | null;
  revokedAt: Date | null;
}

export interface ExpenseScope {
  submitterId: string;
  amount: string;
  category: string;
  steps: readonly { step: number; approverId: string; status: string; decidedBy?: string | null }[];
}

/** The UTC calendar day of an instant: delegations are bounded in UTC days. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** In force on `at`: not revoked, and `at`'s UTC day lies within the range (both ends included). */
export function isInForce(d: DelegationTerms, at: Date): boolean {
  const day = utcDay(at);
  return d.revokedAt === null && d.startsOn <= day && day <= d.endsOn;
}

/** Why the delegation does not cover this expense, or null when it does (amounts compared exactly). */
export function limitRefusal(d: DelegationTerms, expense: ExpenseScope): string | null {
  if (d.maxAmount !== null && toCents(expense.amount) > toCents(d.maxAmount)) {
    return `the delegation covers expenses up to ${d.maxAmount}, and this one is ${expense.amount}`;
  }
  if (d.categories !== null && !d.categories.includes(expense.category)) {
    return `the delegation covers only ${d.categories.join(', ')}, and this expense is ${expense.category}`;
  }
  return null;
}

/** Two day ranges share at least one day. */
export function rangesOverlap(
  a: { startsOn: string; endsOn: string },
  b: { startsOn: string; endsOn: string },
): boolean {
  return a.startsOn <= b.endsOn && b.startsOn <= a.endsOn;
}

export type Acting = { approverId: string; decidedBy: string | null };

/**
 * In whose name the caller acts on the expense's pending seats (one, or several of a
 * parallel stage). A seat's own approver acts for themselves. Anyone else acts for a
 * pending seat's approver (the first, in step order, who delegated to them and whose
 * delegation covers the expense) only through a delegation in force, and never on their own
 * expense, on a chain they hold another step of, or on one where they already decided a
 * seat in someone's name (separation of duties: one person, one say). Callers who are
 * neither are left to the decision rule, which explains their refusal (not an approver,
 * out of turn, already decided).
 */
export function actingFor(
  expense: ExpenseScope,
  callerId: string,
  delegations: readonly DelegationTerms[],
  at: Date,
  /** The seat the caller named (seed 002's approval id): tried first when it is covered. */
  preferredStep?: number,
): Acting {
  const pending = expense.steps.filter((s) => s.status === 'pending');
  if (pending.length === 0 || pending.some((s) => s.approverId === callerId)) {
    return { approverId: callerId, decidedBy: null };
  }
  const delegators = new Set(pending.map((s) => s.approverId));
  const received = delegations.filter(
    (d) => d.delegateId === callerId && delegators.has(d.delegatorId) && isInForce(d, at),
  );
  if (received.length === 0) return { approverId: callerId, decidedBy: null };
  if (expense.submitterId === callerId) {
    throw new ForbiddenError('a delegate never decides on their own expense');
  }
  if (expense.steps.some((s) => s.approverId === callerId)) {
    throw new ForbiddenError(
      'you approve another step of this expense, so you cannot also decide in another approver’s name',
    );
  }
  if (expense.steps.some((s) => s.decidedBy === callerId)) {
    throw new ForbiddenError(
      'you already decided another step of this expense in someone’s name, so you cannot decide a second one',
    );
  }
  const inOrder = [...pending].sort(
    (a, b) => Number(b.step === preferredStep) - Number(a.step === preferredStep),
  );
  for (const seat of inOrder) {
    const covering = received.filter(
      (d) => d.delegatorId === seat.approverId && limitRefusal(d, expense) === null,
    );
    if (covering.length > 0) return { approverId: seat.approverId, decidedBy: callerId };
  }
  const [first] = received;
  const refusal = first ? limitRefusal(first, expense) : null;
  throw new ForbiddenError(`your delegation does not cover this expense: ${refusal}`);
}
