import type { RoutingExplanation, RoutingRuleTrace } from '@countersign/contracts';
import type { Evaluation, RuleTrace } from './evaluate-policy.js';
import type { StepTrace } from './resolve-steps.js';
import type { VersionedPolicy } from './select-policy.js';

function considered(t: RuleTrace) {
  return {
    index: t.index,
    priority: t.priority,
    ...(t.description !== undefined ? { description: t.description } : {}),
    action: t.action,
    matched: t.matched,
  };
}

/**
 * What the policy's rules said about the expense: the part of the explanation that is
 * fixed once the route is decided (a version never changes), carried with the decision so
 * that storing the chain does not evaluate the policy again.
 */
export function traceRules(
  policy: Pick<VersionedPolicy, 'id' | 'name' | 'version'>,
  evaluation: Evaluation,
): RoutingRuleTrace {
  const kind = evaluation.outcome.kind;
  return {
    policy: { id: policy.id, name: policy.name, version: policy.version },
    outcome: kind === 'no_match' ? 'require_approval' : kind,
    matched_rule: evaluation.decidingRule ? considered(evaluation.decidingRule) : null,
    ...(evaluation.outcome.kind === 'block' ? { block_reason: evaluation.outcome.reason } : {}),
    rules: evaluation.rules.map(considered),
    flags: evaluation.flags,
  };
}

/** The explanation stored with a chain and shown by GET /api/expenses/{id}/routing. */
export function explainRouting(
  policy: Pick<VersionedPolicy, 'id' | 'name' | 'version'>,
  evaluation: Evaluation,
  steps: readonly StepTrace[],
): RoutingExplanation {
  return { ...traceRules(policy, evaluation), steps: steps.map((s) => ({ ...s })) };
}
