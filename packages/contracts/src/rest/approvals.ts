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
    expense_status: z.enum(['pending', 'approved', 'rejected']),
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
