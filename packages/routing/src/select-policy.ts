import type { PolicyRule } from '@countersign/contracts';
import { NotFoundError, UnprocessableError } from '@countersign/platform';
import { type Evaluation, type ExpenseFacts, evaluatePolicy } from './evaluate-policy.js';

/** One version of a policy: what routing evaluates. */
export interface VersionedPolicy {
  id: string;
  name: string;
  category: string;
  active: boolean;
  version: number;
  rules: PolicyRule[];
}

export interface PolicyChoice {
  policyId?: string | undefined;
  category?: string | undefined;
}

export interface RoutedBy {
  policy: VersionedPolicy;
  evaluation: Evaluation;
}

function evaluateFor(policy: VersionedPolicy, choice: PolicyChoice, facts: ExpenseFacts) {
  // An expense sent without a category is one of its policy's category.
  return evaluatePolicy(policy.rules, { ...facts, category: choice.category ?? policy.category });
}

/**
 * Picks the policy an expense routes by and evaluates it: the named one (one of whose
 * rules must decide), or the first active policy of the category (by name) that has a
 * deciding rule for the expense. A block is a decision: it is returned, not skipped.
 */
export function selectPolicy(
  policies: readonly VersionedPolicy[],
  choice: PolicyChoice,
  facts: Omit<ExpenseFacts, 'category'> & { category?: string | undefined },
): RoutedBy {
  const fullFacts: ExpenseFacts = { ...facts, category: choice.category?.toLowerCase() };
  if (choice.policyId !== undefined) {
    const policy = policies.find((p) => p.id === choice.policyId && p.active);
    if (!policy) throw new NotFoundError(`no active policy ${choice.policyId} in your company`);
    if (choice.category !== undefined && choice.category.toLowerCase() !== policy.category) {
      throw new UnprocessableError(
        `policy "${policy.name}" is for category "${policy.category}", not "${choice.category}"`,
        'category-mismatch',
      );
    }
    const evaluation = evaluateFor(policy, choice, fullFacts);
    if (evaluation.outcome.kind === 'no_match') {
      throw new UnprocessableError(
        `amount ${facts.amount} is outside policy "${policy.name}": none of its rules decides for this expense`,
        'amount-out-of-range',
      );
    }
    return { policy, evaluation };
  }
  const category = choice.category?.toLowerCase();
  const ofCategory = policies
    .filter((p) => p.active && p.category === category)
    .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  if (ofCategory.length === 0) {
    throw new NotFoundError(`no active policy for category "${choice.category}"`);
  }
  for (const policy of ofCategory) {
    const evaluation = evaluateFor(policy, choice, fullFacts);
    if (evaluation.outcome.kind !== 'no_match') return { policy, evaluation };
  }
  const names = ofCategory.map((p) => `"${p.name}"`).join(', ');
  throw new UnprocessableError(
    `amount ${facts.amount} fits no "${category}" policy (${names}: none of their rules decides)`,
    'amount-out-of-range',
  );
}
