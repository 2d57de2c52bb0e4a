import {
  ApprovalDecisionRequest,
  ApprovalIdParam,
  ApproveRequest,
  BulkDecisionRequest,
  BulkDecisionResponse,
  CreateExpenseRequest,
  CreateExpenseResponse,
  DecisionResponse,
  EditExpenseRequest,
  EditExpenseResponse,
  ExpenseIdParam,
  ExpenseListQuery,
  ExpensePage,
  ExpenseStatusDocument,
  PageQuery,
  PendingApprovalPage,
  type Permission,
  RejectRequest,
  ResubmitRequest,
  ResubmitResponse,
  SendBackRequest,
  WithdrawRequest,
  WithdrawResponse,
} from '@countersign/contracts';
import { delegationRoutes } from './delegation-routes.js';
import { lifecycleRoutes } from './lifecycle-routes.js';
import { moneyRoutes } from './money-routes.js';
import { notificationRoutes } from './notification-routes.js';
import type { DocumentedRoute } from './openapi.js';
import { orgRoutes } from './org-routes.js';
import { policyRoutes } from './policy-routes.js';
import { receiptRoutes } from './receipt-routes.js';
import { reportRoutes } from './report-routes.js';
import { webhookRoutes } from './webhook-routes.js';
import { workspaceRoutes } from './workspace-routes.js';

export type Upstream = 'expense' | 'approval' | 'notification';

/** One public route the gateway checks and forwards to the service that owns it. */
export interface ForwardedRoute extends DocumentedRoute {
  /** Checked at the gateway before anything is read or forwarded, and again by the service. */
  permission: Permission;
  upstream: Upstream;
  upstreamPath: (params: Record<string, string>) => string;
  /** A file goes through: streamed up (with its own body limit) or streamed back. */
  transfer?: { kind: 'upload'; maxBytes: number } | { kind: 'download' };
}

const coreRoutes: ForwardedRoute[] = [
  {
    method: 'post',
    path: '/api/expenses',
    upstream: 'expense',
    upstreamPath: () => '/expenses',
    summary: 'Submit an expense as the caller; the approval chain is decided before it is stored',
    tag: 'Expenses',
    permission: 'expenses.submit',
    body: CreateExpenseRequest,
    success: {
      status: 201,
      schema: CreateExpenseResponse,
      description: 'Created, with its approval chain',
    },
    refusals: [400, 401, 403, 404, 409, 422],
  },
  {
    method: 'get',
    path: '/api/expenses',
    upstream: 'expense',
    upstreamPath: () => '/expenses',
    summary:
      'Expenses the caller may see (finance, admin, auditor: the company; managers: own and team; others: own), filtered, newest first unless sorted',
    tag: 'Expenses',
    permission: 'expenses.read',
    query: ExpenseListQuery,
    success: { status: 200, schema: ExpensePage, description: 'A page of expenses' },
    refusals: [400, 401, 403],
  },
  {
    method: 'get',
    path: '/api/expenses/{id}/status',
    upstream: 'expense',
    upstreamPath: (p) => `/expenses/${p.id}/status`,
    summary: 'Status and approval chain of one expense (submitter, its approvers, admins)',
    tag: 'Expenses',
    permission: 'expenses.read',
    params: ExpenseIdParam,
    success: { status: 200, schema: ExpenseStatusDocument, description: 'The status document' },
    refusals: [400, 401, 403, 404],
  },
  {
    method: 'post',
    path: '/api/expenses/approve',
    upstream: 'approval',
    upstreamPath: () => '/decisions/approve',
    summary: 'Approve the current step of an expense as its approver',
    tag: 'Approvals',
    permission: 'approvals.decide',
    body: ApproveRequest,
    success: { status: 200, schema: DecisionResponse, description: 'The step is approved' },
    refusals: [400, 401, 403, 404, 409],
  },
  {
    method: 'post',
    path: '/api/expenses/reject',
    upstream: 'approval',
    upstreamPath: () => '/decisions/reject',
    summary: 'Reject an expense at its current step, with a reason (terminal)',
    tag: 'Approvals',
    permission: 'approvals.decide',
    body: RejectRequest,
    success: { status: 200, schema: DecisionResponse, description: 'The expense is rejected' },
    refusals: [400, 401, 403, 404, 409],
  },
  {
    method: 'get',
    path: '/api/approvals/pending',
    upstream: 'approval',
    upstreamPath: () => '/approvals/pending',
    summary: 'Steps waiting for the caller’s decision, oldest first',
    tag: 'Approvals',
    permission: 'approvals.queue',
    query: PageQuery,
    success: {
      status: 200,
      schema: PendingApprovalPage,
      description: 'A page of pending approvals',
    },
    refusals: [400, 401, 403],
  },
];

/** Send back, edit, resubmit, withdraw, seed 002's decision and bulk decisions. */
const decisionRoutes: ForwardedRoute[] = [
  {
    method: 'post',
    path: '/api/expenses/{id}/send-back',
    upstream: 'approval',
    upstreamPath: (p) => `/chains/${p.id}/send-back`,
    summary: 'Send an expense back to its submitter for changes, as the current step’s approver',
    tag: 'Approvals',
    permission: 'approvals.decide',
    params: ExpenseIdParam,
    body: SendBackRequest,
    success: { status: 200, schema: DecisionResponse, description: 'The expense is sent back' },
    refusals: [400, 401, 403, 404, 409],
  },
  {
    method: 'patch',
    path: '/api/expenses/{id}',
    upstream: 'expense',
    upstreamPath: (p) => `/expenses/${p.id}`,
    summary:
      'Edit your draft or an expense that was sent back (submitter only, before (re)submitting)',
    tag: 'Expenses',
    permission: 'expenses.submit',
    params: ExpenseIdParam,
    body: EditExpenseRequest,
    success: { status: 200, schema: EditExpenseResponse, description: 'The edited expense' },
    refusals: [400, 401, 403, 404, 409],
  },
  {
    method: 'post',
    path: '/api/expenses/{id}/resubmit',
    upstream: 'expense',
    upstreamPath: (p) => `/expenses/${p.id}/resubmit`,
    summary: 'Resubmit an expense that was sent back: routing runs again, a new round starts',
    tag: 'Expenses',
    permission: 'expenses.submit',
    params: ExpenseIdParam,
    body: ResubmitRequest,
    success: { status: 200, schema: ResubmitResponse, description: 'Resubmitted, with its chain' },
    refusals: [400, 401, 403, 404, 409, 422],
  },
  {
    method: 'post',
    path: '/api/expenses/{id}/withdraw',
    upstream: 'approval',
    upstreamPath: (p) => `/chains/${p.id}/withdraw`,
    summary: 'Withdraw a pending or sent-back expense (submitter only; final)',
    tag: 'Expenses',
    permission: 'expenses.submit',
    params: ExpenseIdParam,
    body: WithdrawRequest,
    success: { status: 200, schema: WithdrawResponse, description: 'The expense is withdrawn' },
    refusals: [400, 401, 403, 404, 409],
  },
  {
    method: 'post',
    path: '/api/approvals/bulk',
    upstream: 'approval',
    upstreamPath: () => '/approvals/bulk',
    summary: 'Approve or reject up to 100 expenses, each decided alone; one result per item',
    tag: 'Approvals',
    permission: 'approvals.decide',
    body: BulkDecisionRequest,
    success: { status: 200, schema: BulkDecisionResponse, description: 'One result per item' },
    refusals: [400, 401, 403],
  },
  {
    method: 'post',
    path: '/api/approvals/{approval_id}/decision',
    upstream: 'approval',
    upstreamPath: (p) => `/approvals/${p.approval_id}/decision`,
    summary: 'Seed 002: approve (approved=true) or reject with the comment as reason',
    tag: 'Approvals',
    permission: 'approvals.decide',
    params: ApprovalIdParam,
    body: ApprovalDecisionRequest,
    success: { status: 200, schema: DecisionResponse, description: 'The decision is recorded' },
    refusals: [400, 401, 403, 404, 409],
  },
];

/** Every public route the gateway forwards, each with the permission it needs. */
export const forwardedRoutes: ForwardedRoute[] = [
  ...coreRoutes,
  ...decisionRoutes,
  ...orgRoutes,
  ...workspaceRoutes,
  ...delegationRoutes,
  ...policyRoutes,
  ...moneyRoutes,
  ...receiptRoutes,
  ...reportRoutes,
  ...lifecycleRoutes,
  ...webhookRoutes,
  ...notificationRoutes,
];
