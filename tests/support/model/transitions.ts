/**
 * The expected transitions, written from docs/ARCHITECTURE.md ("Decisions", "Delegation",
 * "The org directory", "Policies as rules") independently of the services' code: for each
 * call, the answer it must get and the state it leaves.
 */
import { type PersonKey, people } from './people.js';
import { evaluatePolicy } from './policies.js';
import {
  type ExpenseStatus,
  eligibleFor,
  type ModelExpense,
  type ModelState,
  type ModelStep,
} from './state.js';

export interface Expected {
  /** The HTTP status the call must answer. */
  status: number;
  /** The last segment of the problem type, for a refusal that names one. */
  type?: string;
  /** Members the answer's body must hold. */
  body?: Record<string, unknown>;
  /** The expense after the call; absent when the call leaves it as it was. */
  after?: ModelExpense;
  /** A delegate's decision: the answer names both (as ids). */
  delegated?: { onBehalfOf: PersonKey; decidedBy: PersonKey };
}

/** A token of a deactivated person is refused by the gateway (AccessRevoked). */
const revoked: Expected = { status: 401 };

export type Route =
  | { kind: 'block' }
  | { kind: 'auto-approve' }
  | { kind: 'no-eligible-approver' }
  | { kind: 'require-approval'; steps: ModelStep[] };

/** The route the live policy gives an amount: each level step to the best eligible person. */
export function route(state: ModelState, submitter: PersonKey, amount: number): Route {
  const outcome = evaluatePolicy(state.policy, amount);
  if (outcome.kind !== 'require-approval') return outcome;
  const chosen = new Set<PersonKey>();
  const steps: ModelStep[] = [];
  for (const [index, level] of outcome.levels.entries()) {
    const [approver] = eligibleFor(level, submitter, state.active, chosen);
    if (!approver) return { kind: 'no-eligible-approver' };
    chosen.add(approver);
    steps.push({
      step: index + 1,
      level,
      approver,
      status: index === 0 ? 'pending' : 'waiting',
      decidedBy: null,
    });
  }
  return { kind: 'require-approval', steps };
}

/** What a routed submission or resubmission stores, or the refusal that stores nothing. */
function settle(
  routed: Route,
  base: Omit<ModelExpense, 'status' | 'steps'>,
  okStatus: number,
): Expected {
  switch (routed.kind) {
    case 'no-eligible-approver':
      return { status: 422, type: 'no-eligible-approver' };
    case 'block':
      return {
        status: 422,
        type: 'blocked-by-policy',
        after: { ...base, status: 'blocked', steps: [] },
      };
    case 'auto-approve':
      return {
        status: okStatus,
        body: { status: 'approved', approvals_required: [] },
        after: { ...base, status: 'approved', steps: [] },
      };
    case 'require-approval':
      return {
        status: okStatus,
        body: {
          status: 'pending',
          approvals_required: routed.steps.map((s) => ({
            step: s.step,
            approver: people[s.approver].name,
          })),
        },
        after: { ...base, status: 'pending', steps: routed.steps },
      };
  }
}

export function submission(state: ModelState, submitter: PersonKey, amount: number): Expected {
  if (!state.active[submitter]) return revoked;
  // The id is the real one, filled in from the answer.
  return settle(route(state, submitter, amount), { id: '', submitter, amount, round: 1 }, 201);
}

type DecisionKind = 'approve' | 'reject' | 'send-back';

/**
 * In whose name the caller acts (`actingFor`): their own when they hold a pending seat or
 * have no delegation from a pending seat's approver; else the delegator's, unless the
 * caller submitted the expense, holds another of its steps, or already decided one in
 * someone's name (403).
 */
function actingFor(
  state: ModelState,
  expense: ModelExpense,
  caller: PersonKey,
): { approver: PersonKey; decidedBy: PersonKey | null } | Expected {
  const pending = expense.steps.filter((s) => s.status === 'pending');
  if (pending.length === 0 || pending.some((s) => s.approver === caller)) {
    return { approver: caller, decidedBy: null };
  }
  const delegators = new Set(
    state.delegations.filter((d) => d.to === caller && d.from !== caller).map((d) => d.from),
  );
  const seat = pending.find((s) => delegators.has(s.approver));
  if (!seat) return { approver: caller, decidedBy: null };
  if (expense.submitter === caller) return { status: 403 };
  if (expense.steps.some((s) => s.approver === caller || s.decidedBy === caller)) {
    return { status: 403 };
  }
  return { approver: seat.approver, decidedBy: caller };
}

/** The refusal of `decide()` for an approver who holds no pending seat, in its order. */
function decisionRefusal(expense: ModelExpense, approver: PersonKey): Expected | undefined {
  if (approver === expense.submitter) return { status: 403 };
  if (expense.status !== 'pending') return { status: 409, type: 'already-decided' };
  if (expense.steps.some((s) => s.decidedBy === approver && s.approver !== approver)) {
    return { status: 403 };
  }
  if (expense.steps.some((s) => s.status === 'pending' && s.approver === approver)) {
    return undefined;
  }
  const own = expense.steps.find((s) => s.approver === approver);
  if (!own) return { status: 403 };
  if (own.status === 'waiting') return { status: 409, type: 'out-of-turn' };
  return { status: 409, type: 'already-decided' };
}

/** The chain after the seat's decision: one-seat stages, every step required. */
function decided(
  expense: ModelExpense,
  seat: ModelStep,
  kind: DecisionKind,
  decidedBy: PersonKey | null,
): ModelExpense {
  const seatStatus = { approve: 'approved', reject: 'rejected', 'send-back': 'sent_back' } as const;
  const steps = expense.steps.map((s) =>
    s.step === seat.step ? { ...s, status: seatStatus[kind], decidedBy } : { ...s },
  );
  if (kind === 'send-back') return { ...expense, status: 'sent_back', steps };
  if (kind === 'reject') {
    for (const s of steps) if (s.status === 'waiting') s.status = 'skipped';
    return { ...expense, status: 'rejected', steps };
  }
  const next = steps.find((s) => s.status === 'waiting');
  if (next) next.status = 'pending';
  return { ...expense, status: next ? 'pending' : 'approved', steps };
}

export function decision(
  state: ModelState,
  expense: ModelExpense,
  caller: PersonKey,
  kind: DecisionKind,
): Expected {
  if (!state.active[caller]) return revoked;
  const acting = actingFor(state, expense, caller);
  if ('status' in acting) return acting;
  const refusal = decisionRefusal(expense, acting.approver);
  if (refusal) return refusal;
  const seat = expense.steps.find((s) => s.status === 'pending' && s.approver === acting.approver);
  if (!seat) throw new Error('model: a decision with no pending seat passed the checks');
  const after = decided(expense, seat, kind, acting.decidedBy);
  const answer: Record<DecisionKind, string> = {
    approve: 'step_approved',
    reject: 'step_rejected',
    'send-back': 'step_sent_back',
  };
  return {
    status: 200,
    body: {
      [answer[kind]]: seat.step,
      expense_status: after.status,
      pending_approvals:
        kind === 'approve' ? after.steps.filter((s) => s.status !== 'approved').length : 0,
    },
    after,
    ...(acting.decidedBy
      ? { delegated: { onBehalfOf: acting.approver, decidedBy: acting.decidedBy } }
      : {}),
  };
}

export function withdrawal(state: ModelState, expense: ModelExpense, caller: PersonKey): Expected {
  if (!state.active[caller]) return revoked;
  if (caller !== expense.submitter) return { status: 403 };
  if (expense.status !== 'pending' && expense.status !== 'sent_back') {
    return { status: 409, type: 'already-decided' };
  }
  const open = expense.steps.filter((s) => s.status === 'waiting' || s.status === 'pending');
  return {
    status: 200,
    body: { expense_status: 'withdrawn', skipped_steps: open.map((s) => s.step) },
    after: {
      ...expense,
      status: 'withdrawn',
      steps: expense.steps.map((s) =>
        s.status === 'waiting' || s.status === 'pending' ? { ...s, status: 'skipped' } : { ...s },
      ),
    },
  };
}

/** Editing the amount: the submitter's, and only while sent back (the lifecycle table). */
export function edit(
  state: ModelState,
  expense: ModelExpense,
  caller: PersonKey,
  amount: number,
): Expected {
  if (!state.active[caller]) return revoked;
  if (caller !== expense.submitter) return { status: 403 };
  if (expense.status !== 'sent_back') return { status: 409, type: 'not-editable' };
  return { status: 200, body: { amount }, after: { ...expense, amount } };
}

/** A resubmission routes the (edited) expense by the policy as it is now: a new round. */
export function resubmission(
  state: ModelState,
  expense: ModelExpense,
  caller: PersonKey,
): Expected {
  if (!state.active[caller]) return revoked;
  if (caller !== expense.submitter) return { status: 403 };
  if (expense.status !== 'sent_back') return { status: 409, type: 'not-sent-back' };
  const { id, submitter, amount } = expense;
  const round = expense.round + 1;
  const expected = settle(route(state, submitter, amount), { id, submitter, amount, round }, 200);
  return expected.status === 200 ? { ...expected, body: { ...expected.body, round } } : expected;
}

/**
 * Deactivating a person re-routes each open seat they hold in a pending chain by its own
 * rule (the next eligible person, never the submitter nor anyone in the chain, delegates
 * who decided a seat included), else to an active admin outside the chain; if some seat
 * has nobody at all, the deactivation is refused (422) and nothing changes.
 */
export function deactivation(
  state: ModelState,
  target: PersonKey,
): { expected: Expected; expenses: ModelExpense[] } {
  if (!state.active[target]) return { expected: { status: 409 }, expenses: state.expenses };
  const active = { ...state.active, [target]: false };
  const expenses: ModelExpense[] = [];
  for (const expense of state.expenses) {
    if (expense.status !== 'pending') {
      expenses.push(expense);
      continue;
    }
    const inChain = new Set<PersonKey>(
      expense.steps.flatMap((s) => (s.decidedBy ? [s.approver, s.decidedBy] : [s.approver])),
    );
    const steps: ModelStep[] = [];
    for (const step of expense.steps) {
      const open = step.status === 'pending' || step.status === 'waiting';
      if (step.approver !== target || !open) {
        steps.push({ ...step });
        continue;
      }
      const [next] = eligibleFor(step.level, expense.submitter, active, inChain);
      const admin =
        active.ada && expense.submitter !== 'ada' && !inChain.has('ada') ? 'ada' : undefined;
      const holder = next ?? admin;
      if (!holder) {
        return {
          expected: { status: 422, type: 'approver-unreplaceable' },
          expenses: state.expenses,
        };
      }
      inChain.add(holder);
      steps.push({ ...step, approver: holder });
    }
    expenses.push({ ...expense, steps });
  }
  return { expected: { status: 200, body: { active: false } }, expenses };
}

export function delegationGrant(state: ModelState, from: PersonKey, to: PersonKey): Expected {
  if (!state.active[from]) return revoked;
  if (from === to) return { status: 422, type: 'delegate-self' };
  if (!state.active[to]) return { status: 422, type: 'delegate-inactive' };
  if (state.delegations.some((d) => d.from === from)) {
    return { status: 409, type: 'delegation-overlap' };
  }
  return { status: 201 };
}

/** Only the delegator or an admin revokes; a revoked delegation lets nobody act. */
export function delegationRevocation(
  state: ModelState,
  from: PersonKey,
  caller: PersonKey,
): Expected {
  if (!state.active[caller]) return revoked;
  if (caller !== from && people[caller].role !== 'admin') return { status: 403 };
  return { status: 200 };
}

/** The pending seats a person's queue lists: their own, and those delegated to them. */
export function expectedQueue(state: ModelState, person: PersonKey): string[] {
  const delegators = new Set(
    state.delegations.filter((d) => d.to === person && d.from !== person).map((d) => d.from),
  );
  const entries: string[] = [];
  for (const expense of state.expenses) {
    const mayActFor =
      expense.submitter !== person &&
      !expense.steps.some((s) => s.approver === person || s.decidedBy === person);
    for (const s of expense.steps) {
      if (s.status !== 'pending') continue;
      if (s.approver === person) entries.push(`${expense.id}#${s.step}`);
      else if (delegators.has(s.approver) && mayActFor) {
        entries.push(`${expense.id}#${s.step} for ${people[s.approver].name}`);
      }
    }
  }
  return entries.sort();
}

export interface ExpectedDocument {
  status: ExpenseStatus;
  round: number;
  amount: number;
  approvals: { step: number; approver: string; status: string; decidedBy: string | null }[];
}

/** The expense's status document as the expense service's read model must show it. */
export function expectedDocument(expense: ModelExpense): ExpectedDocument {
  return {
    status: expense.status,
    round: expense.round,
    amount: expense.amount,
    approvals: expense.steps.map((s) => ({
      step: s.step,
      approver: people[s.approver].name,
      // The read model has no `waiting`: a step not yet asked reads `pending`.
      status: s.status === 'waiting' ? 'pending' : s.status,
      decidedBy: s.decidedBy ? people[s.decidedBy].name : null,
    })),
  };
}
