import { z } from 'zod';
import { IsoDateTime, Uuid } from '../common.js';

export const ApproveRequest = z
  .object({
    expense_id: Uuid,
    comments: z.string().trim().max(2000).optional(),
    approver_id: Uuid.optional().meta({ description: "If sent, must be the caller's own id" }),
  })
  .strict()
  .meta({ id: 'ApproveRequest' });
export type ApproveRequest = z.infer<typeof ApproveRequest>;

export const RejectRequest = z
  .object({
    expense_id: Uuid,
    reason: z.string().trim().min(1).max(2000),
    approver_id: Uuid.optional().meta({ description: "If sent, must be the caller's own id" }),
  })
  .strict()
  .meta({ id: 'RejectRequest' });
export type RejectRequest = z.infer<typeof RejectRequest>;

export const DecisionResponse = z
  .object({
    message: z.string(),
    expense_id: Uuid,
    step_approved: z.number().int().optional(),
    step_rejected: z.number().int().optional(),
    step_sent_back: z.number().int().optional(),
    expense_status: z.enum(['pending', 'approved', 'rejected', 'sent_back']),
    pending_approvals: z.number().int(),
    decided_by: Uuid.optional().meta({
      description: 'Present when a delegate decided in the name of the step’s approver',
    }),
    on_behalf_of: Uuid.optional().meta({ description: 'The approver a delegate decided for' }),
  })
  .meta({ id: 'DecisionResponse' });
export type DecisionResponse = z.infer<typeof DecisionResponse>;

export const PendingApproval = z
  .object({
    approval_id: Uuid.meta({
      description: 'Id of this pending step, for POST /api/approvals/{approval_id}/decision',
    }),
    expense_id: Uuid,
    step: z.number().int(),
    submitter_name: z.string(),
    amount: z.number(),
    description: z.string(),
    policy_name: z.string(),
    requested_at: IsoDateTime,
    on_behalf_of: z
      .object({ id: Uuid, name: z.string() })
      .optional()
      .meta({ description: 'Present when the step is a delegator’s, shown to their delegate' }),
  })
  .meta({ id: 'PendingApproval' });

export const PendingApprovalPage = z
  .object({ items: z.array(PendingApproval), next_cursor: z.string().nullable() })
  .meta({ id: 'PendingApprovalPage' });
export type PendingApprovalPage = z.infer<typeof PendingApprovalPage>;

/** Seed 002's decision: approved=false is a rejection, and then the comment is its reason. */
export const ApprovalDecisionRequest = z
  .object({ approved: z.boolean(), comment: z.string().trim().min(1).max(2000).optional() })
  .strict()
  .refine((body) => body.approved || body.comment !== undefined, {
    message: 'a rejection needs a comment: it is the reason the submitter reads',
    path: ['comment'],
  })
  .meta({ id: 'ApprovalDecisionRequest' });
export type ApprovalDecisionRequest = z.infer<typeof ApprovalDecisionRequest>;

export const ApprovalIdParam = z.object({ approval_id: Uuid });

export const BulkDecisionItem = z
  .object({
    expense_id: Uuid,
    action: z.enum(['approve', 'reject']),
    comment: z.string().trim().min(1).max(2000).optional(),
    reason: z.string().trim().min(1).max(2000).optional(),
  })
  .strict()
  .refine((item) => item.action === 'approve' || (item.reason ?? item.comment) !== undefined, {
    message: 'a rejection needs a reason',
    path: ['reason'],
  });
export type BulkDecisionItem = z.infer<typeof BulkDecisionItem>;

export const BulkDecisionRequest = z
  .object({ decisions: z.array(BulkDecisionItem).min(1).max(100) })
  .strict()
  .meta({ id: 'BulkDecisionRequest' });
export type BulkDecisionRequest = z.infer<typeof BulkDecisionRequest>;

export const BulkDecisionResult = z.object({
  expense_id: Uuid,
  action: z.enum(['approve', 'reject']),
  status: z.number().int().meta({ description: 'The status this item alone would have answered' }),
  result: DecisionResponse.optional(),
  problem: z
    .object({ type: z.string(), title: z.string(), status: z.number().int(), detail: z.string() })
    .optional(),
});

export const BulkDecisionResponse = z
  .object({ results: z.array(BulkDecisionResult) })
  .meta({ id: 'BulkDecisionResponse' });
export type BulkDecisionResponse = z.infer<typeof BulkDecisionResponse>;
