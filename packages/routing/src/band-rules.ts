import type { PolicyRule, PolicyStep } from '@countersign/contracts';

export interface BandStep {
  requiredLevel: number;
  teamScope: 'submitter' | 'company';
  required: boolean;
}

/**
 * The proof of concept's policies (an amount band and level steps) as one rule: the amount
 * in the band requires the steps; outside it, nothing matches and routing refuses.
 */
export function bandRules(
  name: string,
  minAmount: string,
  maxAmount: string | null,
  steps: readonly BandStep[],
): PolicyRule[] {
  return [
    {
      priority: 1,
      description: `${name}: amount band`,
      condition:
        maxAmount === null
          ? { field: 'amount', op: 'gte', value: minAmount }
          : { field: 'amount', op: 'between', min: minAmount, max: maxAmount },
      action: { type: 'require_approval', steps: steps.map(toPolicyStep) },
    },
  ];
}

function toPolicyStep(s: BandStep): PolicyStep {
  return {
    approver: {
      by: 'level',
      level: s.requiredLevel,
      scope: s.teamScope === 'company' ? 'company' : 'submitter_team',
    },
    required: s.required,
  };
}
