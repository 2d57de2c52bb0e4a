import type {
  RoutingDecision,
  RoutingExplanation,
  RoutingRequest,
  RoutingRuleTrace,
} from '@countersign/contracts';
import { ForbiddenError } from '@countersign/platform';
import { BASE_CURRENCY, type Evaluation } from './evaluate-policy.js';
import { explainRouting, traceRules } from './explain-routing.js';
import { type Person, toChainStep } from './org.js';
import { resolveSteps } from './resolve-steps.js';
import { selectPolicy, type VersionedPolicy } from './select-policy.js';

/** A policy chosen and evaluated for an expense, before its approvers are resolved. */
export interface EvaluatedRoute {
  submitter: Person;
  policy: VersionedPolicy;
  evaluation: Evaluation;
}

export type RoutePlan =
  | { outcome: 'block'; reason: string; decision: RoutingDecision; explanation: RoutingExplanation }
  | {
      outcome: 'require_approval' | 'auto_approve';
      decision: RoutingDecision;
      explanation: RoutingExplanation;
    };

/**
 * Picks the policy the expense routes by and evaluates its rules for the submitter as the
 * directory knows them. Refusals that leave nothing to record are thrown: an inactive or
 * unknown submitter (403), an unknown policy or category (404), no deciding rule (422).
 */
export function evaluateRoute(
  policies: readonly VersionedPolicy[],
  submitter: Person | undefined,
  request: RoutingRequest,
): EvaluatedRoute {
  if (!submitter?.active) {
    throw new ForbiddenError('your account is not an active member of the company');
  }
  const { policy, evaluation } = selectPolicy(
    policies,
    { policyId: request.policy_id, category: request.category },
    {
      // The base-currency amount; the expense's own currency and vendor as sent (older
      // callers send neither: the amount is then in USD). A receipt counts once uploaded.
      amount: request.amount,
      currency: request.currency ?? BASE_CURRENCY,
      vendor: request.vendor,
      receiptPresent: request.has_receipt ?? false,
      workspaceId: request.workspace_id,
      submitter: {
        teamId: submitter.teamId,
        levelNumber: submitter.levelNumber,
        role: submitter.role ?? 'employee',
      },
    },
  );
  return { submitter, policy, evaluation };
}

/**
 * Whether resolving the route's approvers needs the whole company's directory, or only
 * the submitter's team (level steps scoped to the submitter's team).
 */
export function reachesWholeCompany(route: EvaluatedRoute): boolean {
  const { outcome } = route.evaluation;
  return (
    outcome.kind === 'require_approval' &&
    outcome.steps.some((s) => s.approver.by !== 'level' || s.approver.scope === 'company')
  );
}

/**
 * The whole route, computed once: the decision (what the expense is stored and announced
 * with, its rule trace included) and the explanation (rules plus every step's candidates).
 * `people` is the directory the steps are resolved from (the submitter's team suffices
 * unless `reachesWholeCompany`). A required step with nobody eligible is thrown (422).
 */
export function planRoute(route: EvaluatedRoute, people: readonly Person[]): RoutePlan {
  const { submitter, policy, evaluation } = route;
  const ruleTrace: RoutingRuleTrace = traceRules(policy, evaluation);
  const base = {
    policy: {
      id: policy.id,
      name: policy.name,
      category: policy.category,
      version: policy.version,
    },
    submitter: { id: submitter.id, name: submitter.name, team_id: submitter.teamId },
    ...(evaluation.flags.length > 0 ? { flags: evaluation.flags } : {}),
    rule_trace: ruleTrace,
  };
  const { outcome } = evaluation;
  if (outcome.kind === 'block') {
    const rule = evaluation.decidingRule;
    return {
      outcome: 'block',
      reason: outcome.reason,
      decision: {
        ...base,
        chain: [],
        outcome: 'block',
        // A block is always decided by a rule; the fallback only satisfies the type.
        block: {
          reason: outcome.reason,
          rule: {
            index: rule?.index ?? 0,
            priority: rule?.priority ?? 0,
            ...(rule?.description !== undefined ? { description: rule.description } : {}),
          },
        },
      },
      explanation: { ...ruleTrace, steps: [] },
    };
  }
  if (outcome.kind !== 'require_approval') {
    // auto_approve ("no_match" never reaches here: selectPolicy refuses it).
    return {
      outcome: 'auto_approve',
      decision: { ...base, chain: [], outcome: 'auto_approve' },
      explanation: { ...ruleTrace, steps: [] },
    };
  }
  const resolution = resolveSteps(
    outcome.steps,
    { id: submitter.id, teamId: submitter.teamId },
    people.filter((p) => p.active),
  );
  return {
    outcome: 'require_approval',
    decision: { ...base, chain: resolution.chain.map(toChainStep) },
    explanation: explainRouting(policy, evaluation, resolution.steps),
  };
}
