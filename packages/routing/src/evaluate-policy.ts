import type { Condition, FieldTest, PolicyRule, PolicyStep, Role } from '@countersign/contracts';
import { toCents } from './money.js';

/**
 * What a rule can test about an expense. `amount` is in the company's base currency (the
 * expense service converts it); `currency` is the expense's own currency and `vendor` its
 * vendor from the company list, absent when it has none (a vendor test then never
 * matches). `receiptPresent` is whether the expense had a receipt uploaded when it was
 * routed (the routing request's `has_receipt`).
 */
export interface ExpenseFacts {
  amount: string;
  category: string | undefined;
  currency: string;
  vendor: string | undefined;
  workspaceId: string | undefined;
  receiptPresent: boolean;
  submitter: { teamId: string; levelNumber: number; role: Role };
}

/** The currency of expenses routed before expenses carried one (and of simulations). */
export const BASE_CURRENCY = 'USD';

export type Outcome =
  | { kind: 'require_approval'; steps: PolicyStep[] }
  | { kind: 'auto_approve' }
  | { kind: 'block'; reason: string }
  | { kind: 'no_match' };

export interface RuleTrace {
  index: number;
  priority: number;
  description: string | undefined;
  action: PolicyRule['action']['type'];
  matched: boolean;
}

export interface Evaluation {
  outcome: Outcome;
  /** The rule that decided, absent when none matched. */
  decidingRule: RuleTrace | undefined;
  flags: string[];
  rules: RuleTrace[];
}

function compare(op: 'gt' | 'gte' | 'lt' | 'lte' | 'eq', left: bigint, right: bigint): boolean {
  switch (op) {
    case 'gt':
      return left > right;
    case 'gte':
      return left >= right;
    case 'lt':
      return left < right;
    case 'lte':
      return left <= right;
    case 'eq':
      return left === right;
  }
}

function textMatches(
  test: { op: 'eq'; value: string } | { op: 'in'; values: string[] },
  value: string | undefined,
) {
  // Text compares case-insensitively; an absent value never matches.
  if (value === undefined) return false;
  const wanted = value.toLowerCase();
  return test.op === 'eq'
    ? test.value.toLowerCase() === wanted
    : test.values.some((v) => v.toLowerCase() === wanted);
}

function testMatches(test: FieldTest, facts: ExpenseFacts): boolean {
  switch (test.field) {
    case 'amount': {
      const cents = toCents(facts.amount);
      return test.op === 'between'
        ? cents >= toCents(test.min) && cents <= toCents(test.max)
        : compare(test.op, cents, toCents(test.value));
    }
    case 'category':
      return textMatches(test, facts.category);
    case 'currency':
      return textMatches(test, facts.currency);
    case 'vendor':
      return textMatches(test, facts.vendor);
    case 'submitter_team':
      return test.values.includes(facts.submitter.teamId);
    case 'submitter_level':
      return compare(test.op, BigInt(facts.submitter.levelNumber), BigInt(test.value));
    case 'submitter_role':
      return test.values.includes(facts.submitter.role);
    case 'workspace':
      return test.op === 'present'
        ? (facts.workspaceId !== undefined) === test.value
        : facts.workspaceId !== undefined && test.values.includes(facts.workspaceId);
    case 'receipt':
      return facts.receiptPresent === test.value;
  }
}

export function conditionMatches(condition: Condition, facts: ExpenseFacts): boolean {
  if ('all' in condition) return condition.all.every((c) => conditionMatches(c, facts));
  if ('any' in condition) return condition.any.some((c) => conditionMatches(c, facts));
  if ('not' in condition) return !conditionMatches(condition.not, facts);
  return testMatches(condition, facts);
}

function toOutcome(action: PolicyRule['action']): Outcome {
  switch (action.type) {
    case 'require_approval':
      return { kind: 'require_approval', steps: action.steps };
    case 'auto_approve':
      return { kind: 'auto_approve' };
    case 'block':
      return { kind: 'block', reason: action.reason };
    case 'flag':
      throw new Error('a flag never decides');
  }
}

/**
 * Evaluates a policy's rules against an expense, in priority order (1 first; the list
 * index breaks ties of unsaved drafts). Every matching flag adds its message, whatever its
 * place; the first matching rule whose action is not a flag decides. Rules after the
 * deciding one are still reported, as considered, so the explanation is complete.
 */
export function evaluatePolicy(rules: readonly PolicyRule[], facts: ExpenseFacts): Evaluation {
  const ordered = rules
    .map((rule, index) => ({ rule, index }))
    .sort((a, b) => a.rule.priority - b.rule.priority || a.index - b.index);
  const traces: RuleTrace[] = [];
  const flags: string[] = [];
  let outcome: Outcome = { kind: 'no_match' };
  let decidingRule: RuleTrace | undefined;
  for (const { rule, index } of ordered) {
    const matched = conditionMatches(rule.condition, facts);
    const trace: RuleTrace = {
      index,
      priority: rule.priority,
      description: rule.description,
      action: rule.action.type,
      matched,
    };
    traces.push(trace);
    if (!matched) continue;
    if (rule.action.type === 'flag') flags.push(rule.action.message);
    else if (!decidingRule) {
      decidingRule = trace;
      outcome = toOutcome(rule.action);
    }
  }
  return { outcome, decidingRule, flags, rules: traces };
}
