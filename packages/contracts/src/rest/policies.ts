import { z } from 'zod';
import { IsoDateTime, Uuid } from '../common.js';
import { Role } from './auth.js';

/**
 * The rule language of approval policies. A policy holds prioritised rules; each rule is
 * a condition and an action. Rules are evaluated in priority order (1 first); every
 * matching `flag` adds a warning, and the first matching rule whose action is not a flag
 * decides the outcome.
 */

/** An amount in a rule: a decimal string, compared exactly as integer cents. */
export const RuleAmount = z
  .string()
  .regex(/^\d{1,10}(\.\d{1,2})?$/, 'an amount is a decimal string with at most two places')
  .meta({ description: 'Decimal string, compared as integer cents', example: '1999.99' });

const Comparison = z.enum(['gt', 'gte', 'lt', 'lte', 'eq']);
const Text = z.string().trim().min(1).max(100);
const TextList = z.array(Text).min(1).max(50);

const AmountCompare = z
  .object({ field: z.literal('amount'), op: Comparison, value: RuleAmount })
  .strict();
const AmountBetween = z
  .object({
    field: z.literal('amount'),
    op: z.literal('between'),
    min: RuleAmount,
    max: RuleAmount,
  })
  .strict()
  .meta({ description: 'Inclusive at both ends' });
const TextEq = (field: 'category' | 'currency' | 'vendor') =>
  z.object({ field: z.literal(field), op: z.literal('eq'), value: Text }).strict();
const TextIn = (field: 'category' | 'currency' | 'vendor') =>
  z.object({ field: z.literal(field), op: z.literal('in'), values: TextList }).strict();
const TeamIn = z
  .object({
    field: z.literal('submitter_team'),
    op: z.literal('in'),
    values: z.array(Uuid).min(1).max(50),
  })
  .strict();
const LevelCompare = z
  .object({
    field: z.literal('submitter_level'),
    op: Comparison,
    value: z.number().int().min(1).max(20),
  })
  .strict()
  .meta({ description: 'Level numbers: 1 is the most senior' });
const RoleIn = z
  .object({ field: z.literal('submitter_role'), op: z.literal('in'), values: z.array(Role).min(1) })
  .strict();
const WorkspaceIn = z
  .object({
    field: z.literal('workspace'),
    op: z.literal('in'),
    values: z.array(Uuid).min(1).max(50),
  })
  .strict();
const Present = (field: 'workspace' | 'receipt') =>
  z.object({ field: z.literal(field), op: z.literal('present'), value: z.boolean() }).strict();

export const FieldTest = z.union([
  AmountCompare,
  AmountBetween,
  TextEq('category'),
  TextIn('category'),
  TextEq('currency'),
  TextIn('currency'),
  TextEq('vendor'),
  TextIn('vendor'),
  TeamIn,
  LevelCompare,
  RoleIn,
  WorkspaceIn,
  Present('workspace'),
  Present('receipt'),
]);
export type FieldTest = z.infer<typeof FieldTest>;

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | FieldTest;

const MAX_BRANCHES = 50;

// Named so that the OpenAPI document refers to itself instead of recursing forever.
export const Condition: z.ZodType<Condition> = z
  .lazy(() =>
    z.union([
      z.object({ all: z.array(Condition).min(1).max(MAX_BRANCHES) }).strict(),
      z.object({ any: z.array(Condition).min(1).max(MAX_BRANCHES) }).strict(),
      z.object({ not: Condition }).strict(),
      FieldTest,
    ]),
  )
  .meta({
    id: 'PolicyCondition',
    description: 'all / any / not of conditions, or one field test',
  });

export const StepApprover = z
  .discriminatedUnion('by', [
    z
      .object({
        by: z.literal('level'),
        level: z.number().int().min(1).max(20),
        scope: z.enum(['submitter_team', 'company']),
      })
      .strict(),
    z.object({ by: z.literal('role'), role: Role }).strict(),
    z.object({ by: z.literal('user'), user_id: Uuid }).strict(),
  ])
  .meta({ id: 'StepApprover', description: 'Who approves a step' });
export type StepApprover = z.infer<typeof StepApprover>;

/** Hours a step may wait for its approver before it escalates one level up. */
export const EscalateAfterHours = z.number().int().min(1).max(720).meta({
  description: 'Escalate one level up after this many hours (default: the company-wide setting)',
});

/** Who takes an overdue step before the next level up is tried: one named person. */
export const EscalateTo = Uuid.meta({
  description:
    'The user an overdue step goes to first (when they may hold it: active, not the submitter, not already in the chain); else one level up as usual',
});

/** Several approvers asked at once: any one of them, or every one, settles the step. */
export const ParallelApprovers = z
  .object({
    count: z.number().int().min(2).max(10).meta({ description: 'How many approvers are asked' }),
    needs: z.enum(['one', 'all']).meta({
      description:
        '`one`: the first approval settles the step (up to `count` people, at least 1); `all`: every one of exactly `count` people must approve',
    }),
  })
  .strict()
  .meta({ id: 'ParallelApprovers' });
export type ParallelApprovers = z.infer<typeof ParallelApprovers>;

/** One-of-N or all-of-N of a step; one approver when absent. */
export type StepNeeds = ParallelApprovers['needs'];

export const PolicyStep = z
  .object({
    approver: StepApprover,
    required: z.boolean(),
    escalate_after_hours: EscalateAfterHours.optional(),
    escalate_to: EscalateTo.optional(),
    parallel: ParallelApprovers.optional(),
  })
  .strict()
  .superRefine((step, ctx) => {
    // A named user is one person: there is nobody to ask beside them.
    if (step.parallel && step.approver.by === 'user') {
      ctx.addIssue({
        code: 'custom',
        path: ['parallel'],
        message: 'a step naming one user cannot ask several approvers; use a level or role step',
      });
    }
  })
  .meta({ id: 'PolicyStep' });
export type PolicyStep = z.infer<typeof PolicyStep>;

export const RuleAction = z
  .discriminatedUnion('type', [
    z
      .object({ type: z.literal('require_approval'), steps: z.array(PolicyStep).min(1).max(10) })
      .strict(),
    z.object({ type: z.literal('auto_approve') }).strict(),
    z.object({ type: z.literal('block'), reason: z.string().trim().min(1).max(500) }).strict(),
    z.object({ type: z.literal('flag'), message: z.string().trim().min(1).max(500) }).strict(),
  ])
  .meta({ id: 'RuleAction' });
export type RuleAction = z.infer<typeof RuleAction>;

export const PolicyRule = z
  .object({
    priority: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .meta({ description: 'Evaluation order: 1 first; unique within a policy' }),
    condition: Condition,
    action: RuleAction,
    description: z.string().trim().min(1).max(200).optional(),
  })
  .strict()
  .meta({ id: 'PolicyRule' });
export type PolicyRule = z.infer<typeof PolicyRule>;

export const PolicyRules = z
  .array(PolicyRule)
  .min(1)
  .max(100)
  .superRefine((rules, ctx) => {
    const seen = new Set<number>();
    rules.forEach((rule, index) => {
      if (seen.has(rule.priority)) {
        ctx.addIssue({
          code: 'custom',
          path: [index, 'priority'],
          message: `priority ${rule.priority} is used by another rule`,
        });
      }
      seen.add(rule.priority);
    });
  });

const PolicyName = z.string().trim().min(1).max(200);
const PolicyCategory = z
  .string()
  .trim()
  .min(1)
  .max(50)
  .transform((c) => c.toLowerCase())
  .meta({ description: 'The category this policy routes when no policy id is given' });

export const CreatePolicyRequest = z
  .object({ name: PolicyName, category: PolicyCategory, rules: PolicyRules })
  .strict()
  .meta({ id: 'CreatePolicyRequest' });
export type CreatePolicyRequest = z.infer<typeof CreatePolicyRequest>;

/** Any change creates a new version; expenses routed earlier keep theirs. */
export const UpdatePolicyRequest = z
  .object({
    name: PolicyName.optional(),
    category: PolicyCategory.optional(),
    rules: PolicyRules.optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'change at least one of name, category, rules')
  .meta({ id: 'UpdatePolicyRequest' });
export type UpdatePolicyRequest = z.infer<typeof UpdatePolicyRequest>;

export const Policy = z
  .object({
    id: Uuid,
    name: z.string(),
    category: z.string(),
    active: z.boolean(),
    version: z.number().int().min(1),
    rules: z.array(PolicyRule),
    version_created_at: IsoDateTime,
    version_created_by: Uuid.nullable().meta({ description: 'Null for system-made versions' }),
  })
  .meta({ id: 'Policy' });
export type Policy = z.infer<typeof Policy>;

export const PolicyList = z.object({ items: z.array(Policy) }).meta({ id: 'PolicyList' });
export type PolicyList = z.infer<typeof PolicyList>;

/** A policy version as routing decisions and events carry it. */
export const PolicyVersionRef = z.object({ id: Uuid, version: z.number().int().min(1) });

const RuleConsidered = z.object({
  index: z.number().int().min(0).meta({ description: 'Position in the policy version' }),
  priority: z.number().int(),
  description: z.string().optional(),
  action: z.enum(['require_approval', 'auto_approve', 'block', 'flag']),
  matched: z.boolean(),
});

/** Why an expense routes as it does: recorded by the approval service when it routes. */
export const RoutingExplanation = z
  .object({
    policy: z.object({ id: Uuid, name: z.string(), version: z.number().int().min(1) }),
    outcome: z.enum(['require_approval', 'auto_approve', 'block']),
    matched_rule: RuleConsidered.nullable(),
    /** Added later, optional: the blocking rule's reason, present when the outcome is block. */
    block_reason: z.string().optional(),
    rules: z.array(RuleConsidered),
    flags: z.array(z.string()),
    steps: z.array(
      z.object({
        step: z.number().int().min(1).meta({ description: "The step's place in the policy" }),
        approver: StepApprover,
        required: z.boolean(),
        approver_id: Uuid.nullable().meta({ description: 'Null: optional step left out' }),
        /** Added with parallel steps: every approver chosen for the step (one unless parallel). */
        approver_ids: z.array(Uuid).optional().meta({
          description: 'Every approver chosen for the step; empty when left out',
        }),
        parallel: ParallelApprovers.optional(),
        candidates: z.array(
          z.object({
            person_id: z.string(),
            name: z.string(),
            chosen: z.boolean(),
            reason: z.string(),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'RoutingExplanation' });
export type RoutingExplanation = z.infer<typeof RoutingExplanation>;

/**
 * The rule part of an explanation (everything but the steps): decided once with the route
 * and carried by the routing decision and the events announcing it, so storing the chain
 * does not evaluate the policy again; the steps are added when the chain is stored.
 */
export const RoutingRuleTrace = RoutingExplanation.omit({ steps: true }).meta({
  id: 'RoutingRuleTrace',
});
export type RoutingRuleTrace = z.infer<typeof RoutingRuleTrace>;

export const PolicyVersionQuery = z.object({
  version: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .meta({ description: 'A past version; the current one when absent' }),
});
export type PolicyVersionQuery = z.infer<typeof PolicyVersionQuery>;

export const DeactivatePolicyRequest = z
  .object({ reason: z.string().trim().min(1).max(500).optional() })
  .strict()
  .meta({ id: 'DeactivatePolicyRequest' });
export type DeactivatePolicyRequest = z.infer<typeof DeactivatePolicyRequest>;

/** A draft policy run against the company's past expenses; nothing is stored. */
export const SimulatePolicyRequest = z
  .object({
    category: PolicyCategory.optional().meta({
      description: 'Only past expenses of this category; all of them when absent',
    }),
    rules: PolicyRules,
    from: IsoDateTime.optional().meta({ description: 'Submitted at or after' }),
    to: IsoDateTime.optional().meta({ description: 'Submitted before' }),
  })
  .strict()
  .refine((b) => !b.from || !b.to || b.from < b.to, {
    message: 'from must be before to',
    path: ['from'],
  })
  .meta({ id: 'SimulatePolicyRequest' });
export type SimulatePolicyRequest = z.infer<typeof SimulatePolicyRequest>;

const Tally = z.object({
  count: z.number().int().min(0),
  amount: z.string().meta({ description: 'Sum of the amounts, decimal string' }),
});

const SimulatedRoute = z.object({
  outcome: z.enum(['require_approval', 'auto_approve', 'block', 'no_match', 'no_approver']),
  approver_ids: z.array(Uuid),
  reason: z.string().nullable(),
});

export const PolicySimulation = z
  .object({
    considered: z.number().int().min(0),
    same_route: Tally,
    different_route: Tally.meta({ description: 'Other approvers, still needing approval' }),
    newly_blocked: Tally,
    newly_auto_approved: Tally,
    no_longer_routable: Tally.meta({
      description: 'No rule decides, or a required step would find nobody: refused at submit',
    }),
    changed: z
      .array(
        z.object({
          expense_id: Uuid,
          amount: z.string(),
          category: z.string(),
          submitted_at: IsoDateTime,
          current: SimulatedRoute,
          draft: SimulatedRoute,
        }),
      )
      .meta({
        description: 'Every expense that would route differently, newest first (up to 200)',
      }),
  })
  .meta({ id: 'PolicySimulation' });
export type PolicySimulation = z.infer<typeof PolicySimulation>;
