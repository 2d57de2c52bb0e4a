import type { PolicyRule, PolicySimulation, Role } from '@countersign/contracts';
import { DomainError } from '@countersign/platform';
import type { Person } from '@countersign/routing';
import { BASE_CURRENCY, evaluatePolicy, resolveSteps, toCents } from '@countersign/routing';

/** One expense as it was routed, with what a draft needs to route it again. */
export interface PastRoute {
  expenseId: string;
  amount: string;
  category: string;
  submittedAt: Date;
  workspaceId: string | null;
  submitter: { id: string; teamId: string; levelNumber: number; role: Role };
  /** The approvers of its chain in order; empty when it was auto-approved or blocked. */
  approverIds: string[];
  /** Present when a rule blocked it: the reason recorded (null if none was). */
  block?: { reason: string | null } | undefined;
}

type Route = PolicySimulation['changed'][number]['draft'];
type Verdict =
  | 'same_route'
  | 'different_route'
  | 'newly_blocked'
  | 'newly_auto_approved'
  | 'no_longer_routable';

export const MAX_CHANGED_LISTED = 200;

function currentRoute(past: PastRoute): Route {
  if (past.block) return { outcome: 'block', approver_ids: [], reason: past.block.reason };
  return past.approverIds.length === 0
    ? { outcome: 'auto_approve', approver_ids: [], reason: null }
    : { outcome: 'require_approval', approver_ids: past.approverIds, reason: null };
}

/** How the draft would route one past expense, against the directory as it is now. */
export function routeByDraft(
  rules: readonly PolicyRule[],
  past: PastRoute,
  people: readonly Person[],
): Route {
  const { outcome } = evaluatePolicy(rules, {
    amount: past.amount,
    category: past.category,
    currency: BASE_CURRENCY,
    vendor: undefined,
    receiptPresent: false,
    workspaceId: past.workspaceId ?? undefined,
    submitter: past.submitter,
  });
  if (outcome.kind === 'block')
    return { outcome: 'block', approver_ids: [], reason: outcome.reason };
  if (outcome.kind === 'auto_approve')
    return { outcome: 'auto_approve', approver_ids: [], reason: null };
  if (outcome.kind === 'no_match')
    return { outcome: 'no_match', approver_ids: [], reason: 'no rule decides' };
  try {
    const { chain } = resolveSteps(outcome.steps, past.submitter, people);
    return {
      outcome: 'require_approval',
      approver_ids: chain.map((s) => s.approverId),
      reason: null,
    };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    return { outcome: 'no_approver', approver_ids: [], reason: error.message };
  }
}

function verdictOf(current: Route, draft: Route): Verdict {
  if (draft.outcome === 'block')
    return current.outcome === 'block' ? 'same_route' : 'newly_blocked';
  if (draft.outcome === 'no_match' || draft.outcome === 'no_approver') return 'no_longer_routable';
  if (draft.outcome === 'auto_approve') {
    return current.outcome === 'auto_approve' ? 'same_route' : 'newly_auto_approved';
  }
  const same =
    current.outcome === 'require_approval' &&
    current.approver_ids.length === draft.approver_ids.length &&
    current.approver_ids.every((id, i) => id === draft.approver_ids[i]);
  return same ? 'same_route' : 'different_route';
}

const formatCents = (cents: bigint) => `${cents / 100n}.${String(cents % 100n).padStart(2, '0')}`;

/**
 * Runs a draft policy against past expenses and tallies what would change. Pure: the past
 * routes and the directory come in, the report goes out. Amounts are summed as cents.
 */
export function simulatePolicy(
  rules: readonly PolicyRule[],
  pastRoutes: readonly PastRoute[],
  people: readonly Person[],
): PolicySimulation {
  const verdicts: Verdict[] = [
    'same_route',
    'different_route',
    'newly_blocked',
    'newly_auto_approved',
    'no_longer_routable',
  ];
  const totals = new Map(verdicts.map((v) => [v, { count: 0, cents: 0n }]));
  const changed: PolicySimulation['changed'] = [];
  const newestFirst = [...pastRoutes].sort(
    (a, b) =>
      b.submittedAt.getTime() - a.submittedAt.getTime() || a.expenseId.localeCompare(b.expenseId),
  );
  for (const past of newestFirst) {
    const current = currentRoute(past);
    const draft = routeByDraft(rules, past, people);
    const verdict = verdictOf(current, draft);
    const total = totals.get(verdict);
    if (total) {
      total.count += 1;
      total.cents += toCents(past.amount);
    }
    if (verdict !== 'same_route' && changed.length < MAX_CHANGED_LISTED) {
      changed.push({
        expense_id: past.expenseId,
        amount: past.amount,
        category: past.category,
        submitted_at: past.submittedAt.toISOString(),
        current,
        draft,
      });
    }
  }
  const tally = (v: Verdict) => {
    const t = totals.get(v) ?? { count: 0, cents: 0n };
    return { count: t.count, amount: formatCents(t.cents) };
  };
  return {
    considered: pastRoutes.length,
    same_route: tally('same_route'),
    different_route: tally('different_route'),
    newly_blocked: tally('newly_blocked'),
    newly_auto_approved: tally('newly_auto_approved'),
    no_longer_routable: tally('no_longer_routable'),
    changed,
  };
}
