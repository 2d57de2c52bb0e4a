import { z } from 'zod';
import { DecimalString, Uuid } from '../common.js';
import { CurrencyCode } from '../currencies.js';
import {
  EscalateAfterHours,
  EscalateTo,
  ParallelApprovers,
  RoutingRuleTrace,
  StepApprover,
} from './policies.js';

/** One resolved step of an approval chain. */
export const ChainStep = z
  .object({
    step: z.number().int().min(1),
    approver_id: Uuid,
    approver_name: z.string(),
    level_number: z.number().int().min(1),
    level_name: z.string(),
    required: z.boolean(),
    required_level: z.number().int().min(1).meta({ description: 'Most junior level allowed' }),
    team_scope: z.enum(['submitter', 'company']),
    /** Added with policy rules, optional: absent on chains from level-only policies. */
    approver_rule: StepApprover.optional().meta({
      description: 'The step as the policy names it (level, role or user); absent means by level',
    }),
    /** Added later, optional: the step's own escalation deadline. */
    escalate_after_hours: EscalateAfterHours.optional(),
    /** Added later, optional: who takes the step first when it is overdue. */
    escalate_to: EscalateTo.optional(),
    /**
     * Added with parallel steps, optional: the policy step this approver seat belongs to
     * (absent: the seat is its own stage, `stage` = `step`), and whether one or all of the
     * stage's seats must approve (absent: `one`).
     */
    stage: z.number().int().min(1).optional().meta({
      description: 'The stage (policy step) this seat belongs to; absent means `step`',
    }),
    needs: ParallelApprovers.shape.needs.optional(),
  })
  .meta({ id: 'ChainStep' });
export type ChainStep = z.infer<typeof ChainStep>;

/** Internal: the expense service asks the approval service how an expense would route. */
export const RoutingRequest = z.object({
  policy_id: Uuid.optional(),
  category: z.string().min(1).max(50).optional(),
  /** In the company's base currency: policies compare base amounts. */
  amount: DecimalString,
  workspace_id: Uuid.optional(),
  /** Added with currencies, optional: the expense's own currency (absent: the base, USD). */
  currency: CurrencyCode.optional(),
  /** Added with vendors, optional: the vendor's name from the company list. */
  vendor: z.string().min(1).max(50).optional(),
  /** Added with receipts, optional: whether a receipt is uploaded (absent: none). */
  has_receipt: z.boolean().optional(),
});
export type RoutingRequest = z.infer<typeof RoutingRequest>;

/** The policy an expense routes by; `version` was added with policy rules. */
export const RoutedPolicy = z.object({
  id: Uuid,
  name: z.string(),
  category: z.string(),
  version: z.number().int().min(1).optional(),
});

/** The rule of a policy version that decided an outcome: where it stands, as written. */
export const DecidingRule = z.object({
  index: z.number().int().min(0).meta({ description: 'Position in the policy version' }),
  priority: z.number().int(),
  description: z.string().optional(),
});
export type DecidingRule = z.infer<typeof DecidingRule>;

export const RoutingDecision = z
  .object({
    policy: RoutedPolicy,
    submitter: z.object({ id: Uuid, name: z.string(), team_id: Uuid }),
    /** Empty exactly when the outcome is auto_approve or block. */
    chain: z.array(ChainStep),
    /** Warnings of matching `flag` rules, shown to approvers. */
    flags: z.array(z.string()).optional(),
    /** Absent means require_approval (the only outcome before policy rules). */
    outcome: z.enum(['require_approval', 'auto_approve', 'block']).optional(),
    /** Present exactly when the outcome is block: why, and the rule that blocked. */
    block: z.object({ reason: z.string().min(1), rule: DecidingRule }).optional(),
    /** Added later, optional: the policy's rules as evaluated for this decision. */
    rule_trace: RoutingRuleTrace.optional(),
  })
  .refine(
    (d) =>
      d.outcome === 'auto_approve' || d.outcome === 'block'
        ? d.chain.length === 0
        : d.chain.length > 0,
    'an auto-approved or blocked expense has no chain; any other has at least one step',
  )
  .refine(
    (d) => (d.outcome === 'block') === (d.block !== undefined),
    'a blocked decision says why (block), and only a blocked one',
  );
export type RoutingDecision = z.infer<typeof RoutingDecision>;
