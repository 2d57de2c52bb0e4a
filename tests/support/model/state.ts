import { byNearestLevel, type PersonKey, people, personKeys } from './people.js';
import type { PolicyVariant } from './policies.js';

/** Where an expense stands, in both services (the chain's status equals the expense's here). */
export type ExpenseStatus =
  | 'pending'
  | 'approved'
  | 'rejected'
  | 'sent_back'
  | 'withdrawn'
  | 'blocked';

/** A seat's status in the approval service; the expense read model shows `waiting` as `pending`. */
export type SeatStatus = 'waiting' | 'pending' | 'approved' | 'rejected' | 'sent_back' | 'skipped';

export interface ModelStep {
  step: number;
  /** The level the policy step asks for (1 the most senior). */
  level: number;
  approver: PersonKey;
  status: SeatStatus;
  /** The delegate who decided the seat in the approver's name. */
  decidedBy: PersonKey | null;
}

export interface ModelExpense {
  id: string;
  submitter: PersonKey;
  amount: number;
  status: ExpenseStatus;
  round: number;
  /** The current round's steps; none when a rule approved or blocked the round. */
  steps: ModelStep[];
}

export interface ModelDelegation {
  id: string;
  from: PersonKey;
  to: PersonKey;
}

/** The model of one run's company: who is active, the live policy, expenses, delegations. */
export interface ModelState {
  active: Record<PersonKey, boolean>;
  policy: PolicyVariant;
  expenses: ModelExpense[];
  /** Delegations in force (not revoked); each runs from today for five days. */
  delegations: ModelDelegation[];
}

export function initialState(policy: PolicyVariant): ModelState {
  return {
    active: Object.fromEntries(personKeys.map((key) => [key, true])) as Record<PersonKey, boolean>,
    policy,
    expenses: [],
    delegations: [],
  };
}

/**
 * The people who may hold a level step, best first: active, not the submitter, not already
 * in the chain, at the required level or more senior (everyone shares the one team).
 */
export function eligibleFor(
  level: number,
  submitter: PersonKey,
  active: Record<PersonKey, boolean>,
  inChain: ReadonlySet<PersonKey>,
): PersonKey[] {
  return personKeys
    .filter(
      (key) => active[key] && key !== submitter && !inChain.has(key) && people[key].level <= level,
    )
    .sort(byNearestLevel);
}
