/**
 * The policy versions a run switches between, as sent to the API and as the model reads
 * them. Every step is a required level step scoped to the submitter's team.
 */
export const policyVariants = ['two-step', 'one-step', 'three-step'] as const;
export type PolicyVariant = (typeof policyVariants)[number];

/** Above this a two-step or one-step policy blocks; at or below `autoApproveUpTo` it approves. */
export const blockAbove = 5000;
export const autoApproveUpTo = 50;
export const blockReason = 'over 5000 needs a purchase order';

/** The required levels of each variant's approval steps, in order. */
const stepLevels: Record<PolicyVariant, number[]> = {
  'two-step': [3, 2],
  'one-step': [3],
  'three-step': [3, 2, 1],
};

function levelSteps(levels: number[]) {
  return levels.map((level) => ({
    approver: { by: 'level', level, scope: 'submitter_team' },
    required: true,
  }));
}

/** The rules of a variant, in the API's rule language. */
export function policyRules(variant: PolicyVariant): unknown[] {
  const steps = levelSteps(stepLevels[variant]);
  if (variant === 'three-step') {
    return [
      {
        priority: 1,
        condition: { field: 'amount', op: 'gt', value: '0' },
        action: { type: 'require_approval', steps },
      },
    ];
  }
  return [
    {
      priority: 1,
      condition: { field: 'amount', op: 'gt', value: String(blockAbove) },
      action: { type: 'block', reason: blockReason },
    },
    {
      priority: 2,
      condition: { field: 'amount', op: 'lte', value: String(autoApproveUpTo) },
      action: { type: 'auto_approve' },
    },
    {
      priority: 3,
      condition: { field: 'amount', op: 'gt', value: String(autoApproveUpTo) },
      action: { type: 'require_approval', steps },
    },
  ];
}

export type PolicyOutcome =
  | { kind: 'block' }
  | { kind: 'auto-approve' }
  | { kind: 'require-approval'; levels: number[] };

/** What a variant decides for an amount: the first matching rule, by priority. */
export function evaluatePolicy(variant: PolicyVariant, amount: number): PolicyOutcome {
  if (variant !== 'three-step') {
    if (amount > blockAbove) return { kind: 'block' };
    if (amount <= autoApproveUpTo) return { kind: 'auto-approve' };
  }
  return { kind: 'require-approval', levels: stepLevels[variant] };
}
