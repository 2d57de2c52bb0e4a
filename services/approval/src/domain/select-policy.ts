import { NotFoundError, UnprocessableError } from '@countersign/platform';
import { toCents } from './money.js';
import type { Policy } from './org.js';

export interface PolicyChoice {
  policyId?: string | undefined;
  category?: string | undefined;
  amount: string;
}

function inRange(policy: Policy, amount: string): boolean {
  const cents = toCents(amount);
  if (cents < toCents(policy.minAmount)) return false;
  return policy.maxAmount === null || cents <= toCents(policy.maxAmount);
}

function describeRange(policy: Policy): string {
  return policy.maxAmount === null
    ? `${policy.minAmount} or more`
    : `${policy.minAmount} to ${policy.maxAmount}`;
}

/**
 * Picks the policy an expense routes by: the named one (whose amount range must hold the
 * amount), or the one active policy of the category whose range holds it.
 */
export function selectPolicy(policies: readonly Policy[], choice: PolicyChoice): Policy {
  if (choice.policyId !== undefined) {
    const policy = policies.find((p) => p.id === choice.policyId && p.active);
    if (!policy) throw new NotFoundError(`no active policy ${choice.policyId} in your company`);
    if (choice.category !== undefined && choice.category.toLowerCase() !== policy.category) {
      throw new UnprocessableError(
        `policy "${policy.name}" is for category "${policy.category}", not "${choice.category}"`,
        'category-mismatch',
      );
    }
    if (!inRange(policy, choice.amount)) {
      throw new UnprocessableError(
        `amount ${choice.amount} is outside policy "${policy.name}" (${describeRange(policy)})`,
        'amount-out-of-range',
      );
    }
    return policy;
  }
  const category = choice.category?.toLowerCase();
  const ofCategory = policies.filter((p) => p.active && p.category === category);
  if (ofCategory.length === 0) {
    throw new NotFoundError(`no active policy for category "${choice.category}"`);
  }
  const matching = ofCategory.find((p) => inRange(p, choice.amount));
  if (!matching) {
    const ranges = ofCategory.map((p) => `"${p.name}" ${describeRange(p)}`).join(', ');
    throw new UnprocessableError(
      `amount ${choice.amount} fits no "${category}" policy (${ranges})`,
      'amount-out-of-range',
    );
  }
  return matching;
}
