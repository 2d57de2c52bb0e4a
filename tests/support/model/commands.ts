import fc from 'fast-check';
import { expect } from 'vitest';
import { type ApiResponse, api } from '../test-cluster.js';
import type { RunCompany } from './company.js';
import { assertMatchesModel } from './observe.js';
import { deactivatable, type PersonKey, personKeys, submitters } from './people.js';
import { type PolicyVariant, policyRules, policyVariants } from './policies.js';
import type { ExpenseStatus, ModelExpense, ModelState } from './state.js';
import {
  deactivation,
  decision,
  delegationGrant,
  delegationRevocation,
  type Expected,
  edit,
  resubmission,
  submission,
  withdrawal,
} from './transitions.js';

export type CommandKind =
  | 'submit'
  | 'approve'
  | 'reject'
  | 'send-back'
  | 'resubmit'
  | 'withdraw'
  | 'delegate'
  | 'revoke-delegation'
  | 'deactivate'
  | 'change-policy';

/** Commands executed per kind, and how many of them the model expected to be refused. */
export const tally = new Map<CommandKind, { run: number; refused: number }>();

/** `refused`: the model expects the call to change nothing. */
function count(kind: CommandKind, refused: boolean): void {
  const entry = tally.get(kind) ?? { run: 0, refused: 0 };
  entry.run += 1;
  if (refused) entry.refused += 1;
  tally.set(kind, entry);
}

/** The answer must be the expected one: the success, or the exact refusal as problem+json. */
function assertAnswer(what: string, response: ApiResponse, expected: Expected): void {
  const detail = `${what}: ${JSON.stringify(response.body)}`;
  expect(response.status, detail).toBe(expected.status);
  if (expected.status >= 400 && expected.status !== 401) {
    expect(response.contentType, detail).toContain('application/problem+json');
  }
  if (expected.type) {
    expect(String(response.body.type), detail).toBe(
      `https://countersign.dev/problems/${expected.type}`,
    );
  }
  if (expected.body) expect(response.body, detail).toMatchObject(expected.body);
}

/** Who acts: a named person, or whoever the model says holds the expense now (or its delegate). */
export type ActorChoice = PersonKey | 'current' | 'delegate' | 'submitter';

const actorChoice = fc.oneof(
  { weight: 4, arbitrary: fc.constant<ActorChoice>('current') },
  { weight: 1, arbitrary: fc.constant<ActorChoice>('delegate') },
  { weight: 2, arbitrary: fc.constantFrom<ActorChoice>(...personKeys) },
);

/**
 * Resolves an actor choice against the model: the pending seat's approver (else the one
 * who decided last, so "approving twice" and "deciding a closed expense" come up), the
 * delegate of the pending seat's approver, or the submitter.
 */
function resolveActor(state: ModelState, expense: ModelExpense, choice: ActorChoice): PersonKey {
  if (choice === 'submitter') return expense.submitter;
  if (choice !== 'current' && choice !== 'delegate') return choice;
  const pending = expense.steps.find((s) => s.status === 'pending');
  const decided = expense.steps.filter((s) => s.status !== 'pending' && s.status !== 'waiting');
  const current = pending?.approver ?? decided.at(-1)?.approver ?? expense.submitter;
  if (choice === 'current') return current;
  return state.delegations.find((d) => d.from === current)?.to ?? current;
}

/**
 * Which expense a command acts on: the n-th of those it applies to (pending for a decision,
 * say), or of all of them, so refusals on closed expenses come up too. Picked from the
 * model, so a shrunk sequence picks the same expense again.
 */
export interface ExpenseTarget {
  applicable: boolean;
  n: number;
}

const expenseTarget = fc.record({
  applicable: fc.oneof(
    { weight: 3, arbitrary: fc.constant(true) },
    { weight: 1, arbitrary: fc.constant(false) },
  ),
  n: fc.nat({ max: 15 }),
});

function pickExpense(
  state: ModelState,
  target: ExpenseTarget,
  applies: ReadonlySet<ExpenseStatus>,
): ModelExpense {
  const among = target.applicable
    ? state.expenses.filter((e) => applies.has(e.status))
    : state.expenses;
  const expense = among[target.n % among.length];
  if (!expense) throw new Error('model: no expense to pick');
  return expense;
}

const pendingOnly: ReadonlySet<ExpenseStatus> = new Set(['pending']);
const sentBackOnly: ReadonlySet<ExpenseStatus> = new Set(['sent_back']);
const withdrawable: ReadonlySet<ExpenseStatus> = new Set(['pending', 'sent_back']);

const describeTarget = (t: ExpenseTarget) => `${t.applicable ? 'applicable' : 'any'} #${t.n}`;

function replaceExpense(state: ModelState, after: ModelExpense): void {
  state.expenses = state.expenses.map((e) => (e.id === after.id ? after : e));
}

abstract class ModelCommand implements fc.AsyncCommand<ModelState, RunCompany> {
  abstract readonly kind: CommandKind;
  check(_state: Readonly<ModelState>): boolean {
    return true;
  }
  async run(state: ModelState, company: RunCompany): Promise<void> {
    await this.act(state, company);
    await assertMatchesModel(company, state);
  }
  protected abstract act(state: ModelState, company: RunCompany): Promise<void>;
  abstract toString(): string;
}

abstract class ExpenseCommand extends ModelCommand {
  /** The statuses the command applies to (a decision: pending). */
  protected abstract readonly applies: ReadonlySet<ExpenseStatus>;
  constructor(readonly pick: ExpenseTarget) {
    super();
  }
  /** Needs an expense; one it applies to, when the target asks for one (else it is dropped). */
  override check(state: Readonly<ModelState>): boolean {
    if (!this.pick.applicable) return state.expenses.length > 0;
    return state.expenses.some((e) => this.applies.has(e.status));
  }
  protected expense(state: ModelState): ModelExpense {
    return pickExpense(state, this.pick, this.applies);
  }
}

class Submit extends ModelCommand {
  readonly kind = 'submit';
  constructor(
    readonly submitter: PersonKey,
    readonly amount: number,
  ) {
    super();
  }
  protected async act(state: ModelState, company: RunCompany): Promise<void> {
    const expected = submission(state, this.submitter, this.amount);
    count(this.kind, !expected.after);
    const response = await api('POST', '/api/expenses', company.tokens[this.submitter], {
      policy_id: company.policyId,
      amount: this.amount,
      description: `Model expense ${state.expenses.length + 1}`,
    });
    assertAnswer(this.toString(), response, expected);
    if (expected.after) {
      // A blocked attempt is stored too: its id comes with the 422 (an RFC 9457 extension).
      const id = String(response.body.expense_id);
      state.expenses.push({ ...expected.after, id });
    }
  }
  toString(): string {
    return `submit(${this.submitter}, ${this.amount})`;
  }
}

type DecisionKind = 'approve' | 'reject' | 'send-back';

class Decide extends ExpenseCommand {
  protected readonly applies = pendingOnly;
  constructor(
    readonly kind: DecisionKind,
    pick: ExpenseTarget,
    readonly actor: ActorChoice,
  ) {
    super(pick);
  }
  protected async act(state: ModelState, company: RunCompany): Promise<void> {
    const expense = this.expense(state);
    const caller = resolveActor(state, expense, this.actor);
    const expected = decision(state, expense, caller, this.kind);
    count(this.kind, !expected.after);
    const token = company.tokens[caller];
    const response =
      this.kind === 'send-back'
        ? await api('POST', `/api/expenses/${expense.id}/send-back`, token, {
            comment: 'Please split it',
          })
        : this.kind === 'reject'
          ? await api('POST', '/api/expenses/reject', token, {
              expense_id: expense.id,
              reason: 'Not this time',
            })
          : await api('POST', '/api/expenses/approve', token, { expense_id: expense.id });
    assertAnswer(`${this} as ${caller}`, response, expected);
    if (expected.delegated) {
      expect(response.body).toMatchObject({
        on_behalf_of: company.ids[expected.delegated.onBehalfOf],
        decided_by: company.ids[expected.delegated.decidedBy],
      });
    }
    if (expected.after) replaceExpense(state, expected.after);
  }
  toString(): string {
    return `${this.kind}(${describeTarget(this.pick)}, ${this.actor})`;
  }
}

class Withdraw extends ExpenseCommand {
  readonly kind = 'withdraw';
  protected readonly applies = withdrawable;
  constructor(
    pick: ExpenseTarget,
    readonly actor: ActorChoice,
  ) {
    super(pick);
  }
  protected async act(state: ModelState, company: RunCompany): Promise<void> {
    const expense = this.expense(state);
    const caller = resolveActor(state, expense, this.actor);
    const expected = withdrawal(state, expense, caller);
    count(this.kind, !expected.after);
    const response = await api(
      'POST',
      `/api/expenses/${expense.id}/withdraw`,
      company.tokens[caller],
      { reason: 'No longer needed' },
    );
    assertAnswer(`${this} as ${caller}`, response, expected);
    if (expected.after) replaceExpense(state, expected.after);
  }
  toString(): string {
    return `withdraw(${describeTarget(this.pick)}, ${this.actor})`;
  }
}

/** Resubmits, after editing the amount when `amount` is given (PATCH, then resubmit). */
class Resubmit extends ExpenseCommand {
  readonly kind = 'resubmit';
  protected readonly applies = sentBackOnly;
  constructor(
    pick: ExpenseTarget,
    readonly actor: ActorChoice,
    readonly amount: number | null,
  ) {
    super(pick);
  }
  protected async act(state: ModelState, company: RunCompany): Promise<void> {
    let expense = this.expense(state);
    const caller = resolveActor(state, expense, this.actor);
    const token = company.tokens[caller];
    if (this.amount !== null) {
      const edited = edit(state, expense, caller, this.amount);
      const response = await api('PATCH', `/api/expenses/${expense.id}`, token, {
        amount: this.amount,
      });
      assertAnswer(`edit before ${this} as ${caller}`, response, edited);
      if (edited.after) {
        expense = edited.after;
        replaceExpense(state, expense);
      }
    }
    const expected = resubmission(state, expense, caller);
    count(this.kind, !expected.after);
    const response = await api('POST', `/api/expenses/${expense.id}/resubmit`, token, {});
    assertAnswer(`${this} as ${caller}`, response, expected);
    if (expected.after) replaceExpense(state, expected.after);
  }
  toString(): string {
    return `resubmit(${describeTarget(this.pick)}, ${this.actor}${this.amount === null ? '' : `, amount ${this.amount}`})`;
  }
}

const day = (offset: number) =>
  new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

class Delegate extends ModelCommand {
  readonly kind = 'delegate';
  constructor(
    readonly from: PersonKey,
    readonly to: PersonKey,
  ) {
    super();
  }
  protected async act(state: ModelState, company: RunCompany): Promise<void> {
    const expected = delegationGrant(state, this.from, this.to);
    count(this.kind, expected.status !== 201);
    const response = await api('POST', '/api/delegations', company.tokens[this.from], {
      delegate_id: company.ids[this.to],
      starts_on: day(0),
      ends_on: day(5),
    });
    assertAnswer(this.toString(), response, expected);
    if (response.status === 201) {
      state.delegations.push({ id: String(response.body.id), from: this.from, to: this.to });
    }
  }
  toString(): string {
    return `delegate(${this.from} -> ${this.to})`;
  }
}

class RevokeDelegation extends ModelCommand {
  readonly kind = 'revoke-delegation';
  constructor(
    readonly pick: number,
    readonly actor: PersonKey | 'delegator',
  ) {
    super();
  }
  override check(state: Readonly<ModelState>): boolean {
    return state.delegations.length > 0;
  }
  protected async act(state: ModelState, company: RunCompany): Promise<void> {
    const delegation = state.delegations[this.pick % state.delegations.length];
    if (!delegation) throw new Error('model: no delegation to pick');
    const caller = this.actor === 'delegator' ? delegation.from : this.actor;
    const expected = delegationRevocation(state, delegation.from, caller);
    count(this.kind, expected.status !== 200);
    const response = await api(
      'POST',
      `/api/delegations/${delegation.id}/revoke`,
      company.tokens[caller],
      {},
    );
    assertAnswer(`${this} as ${caller}`, response, expected);
    if (response.status === 200) {
      state.delegations = state.delegations.filter((d) => d.id !== delegation.id);
    }
  }
  toString(): string {
    return `revoke-delegation(#${this.pick}, ${this.actor})`;
  }
}

class Deactivate extends ModelCommand {
  readonly kind = 'deactivate';
  constructor(readonly target: PersonKey) {
    super();
  }
  /** Once something is in flight: a deactivation then has chains to re-route. */
  override check(state: Readonly<ModelState>): boolean {
    return state.expenses.some((e) => e.status === 'pending');
  }
  protected async act(state: ModelState, company: RunCompany): Promise<void> {
    const { expected, expenses } = deactivation(state, this.target);
    count(this.kind, expected.status !== 200);
    const response = await api(
      'POST',
      `/api/users/${company.ids[this.target]}/deactivate`,
      company.tokens.ada,
      { reason: 'left the company' },
    );
    assertAnswer(this.toString(), response, expected);
    if (response.status === 200) {
      state.active = { ...state.active, [this.target]: false };
      state.expenses = expenses;
      // New submissions route from the expense service's copy of the directory.
      await company.cluster.routingCopyCaughtUp();
    }
  }
  toString(): string {
    return `deactivate(${this.target})`;
  }
}

class ChangePolicy extends ModelCommand {
  readonly kind = 'change-policy';
  constructor(readonly variant: PolicyVariant) {
    super();
  }
  override check(state: Readonly<ModelState>): boolean {
    return state.policy !== this.variant;
  }
  protected async act(state: ModelState, company: RunCompany): Promise<void> {
    count(this.kind, false);
    const response = await api('PATCH', `/api/policies/${company.policyId}`, company.tokens.ada, {
      rules: policyRules(this.variant),
    });
    assertAnswer(this.toString(), response, { status: 200 });
    state.policy = this.variant;
    // Expenses in flight keep their chains; new submissions and resubmissions follow.
    await company.cluster.routingCopyCaughtUp();
  }
  toString(): string {
    return `change-policy(${this.variant})`;
  }
}

/** Which live delegation a revocation names (modulo how many there are). */
const delegationPick = fc.nat({ max: 15 });
const amount = fc.constantFrom(30, 120, 900, 6000);

/** Every command, weighted by repeating the common ones (fc.commands picks uniformly). */
export const commandArbitraries: fc.Arbitrary<fc.AsyncCommand<ModelState, RunCompany>>[] = [
  ...Array.from({ length: 3 }, () =>
    fc.tuple(fc.constantFrom(...submitters), amount).map(([who, sum]) => new Submit(who, sum)),
  ),
  ...Array.from({ length: 4 }, () =>
    fc
      .tuple(expenseTarget, actorChoice)
      .map(([target, actor]) => new Decide('approve', target, actor)),
  ),
  ...Array.from({ length: 2 }, () =>
    fc
      .tuple(expenseTarget, actorChoice)
      .map(([target, actor]) => new Decide('reject', target, actor)),
  ),
  ...Array.from({ length: 2 }, () =>
    fc
      .tuple(expenseTarget, actorChoice)
      .map(([target, actor]) => new Decide('send-back', target, actor)),
  ),
  ...Array.from({ length: 3 }, () =>
    fc
      .tuple(
        expenseTarget,
        fc.oneof(
          { weight: 4, arbitrary: fc.constant<ActorChoice>('submitter') },
          { weight: 1, arbitrary: actorChoice },
        ),
        fc.option(amount, { nil: null }),
      )
      .map(([target, actor, sum]) => new Resubmit(target, actor, sum)),
  ),
  fc
    .tuple(
      expenseTarget,
      fc.oneof(
        { weight: 3, arbitrary: fc.constant<ActorChoice>('submitter') },
        { weight: 1, arbitrary: actorChoice },
      ),
    )
    .map(([target, actor]) => new Withdraw(target, actor)),
  fc
    .tuple(fc.constantFrom<PersonKey>('ada', 'dora', 'max', 'mia'), fc.constantFrom(...personKeys))
    .map(([from, to]) => new Delegate(from, to)),
  fc
    .tuple(
      delegationPick,
      fc.oneof(
        { weight: 3, arbitrary: fc.constant<PersonKey | 'delegator'>('delegator') },
        { weight: 1, arbitrary: fc.constantFrom<PersonKey | 'delegator'>(...personKeys) },
      ),
    )
    .map(([n, actor]) => new RevokeDelegation(n, actor)),
  fc.constantFrom(...deactivatable).map((target) => new Deactivate(target)),
  fc.constantFrom(...policyVariants).map((variant) => new ChangePolicy(variant)),
];
