import { PageQuery } from '../common.js';
import { CreateExpenseRequest, CreateExpenseResponse, ExpenseIdParam } from '../rest/expenses.js';
import {
  DeletedExpensePage,
  DeleteExpenseResponse,
  DraftResponse,
  RestoreExpenseRequest,
  RestoreExpenseResponse,
  SubmitDraftRequest,
} from '../rest/lifecycle.js';
import { PayoutDocument, PayoutIdParam, PayoutRequest, PayoutResponse } from '../rest/payouts.js';
import { defineRoutes } from './api-route.js';

/** Drafts, soft delete and restore, and payouts: the expense lifecycle beyond submit. */
export const lifecycleRoutes = defineRoutes({
  createDraft: {
    method: 'post',
    path: '/api/expenses/drafts',
    service: 'expense',
    summary: 'Save an expense as a draft: validated and priced like a submission, not routed',
    tag: 'Expenses',
    permission: 'expenses.submit',
    body: CreateExpenseRequest,
    success: { status: 201, schema: DraftResponse, description: 'The draft, only yours to see' },
    refusals: [400, 401, 403, 404, 422],
  },
  submitDraft: {
    method: 'post',
    path: '/api/expenses/{id}/submit',
    service: 'expense',
    summary: 'Submit your draft: routed exactly like POST /api/expenses (chain, rule, or block)',
    tag: 'Expenses',
    permission: 'expenses.submit',
    params: ExpenseIdParam,
    body: SubmitDraftRequest,
    success: { status: 200, schema: CreateExpenseResponse, description: 'Submitted and routed' },
    refusals: [400, 401, 403, 404, 409, 422],
  },
  delete: {
    method: 'delete',
    path: '/api/expenses/{id}',
    service: 'expense',
    summary:
      'Delete your draft or sent-back expense (soft: hidden, kept, restorable by admins); a sent-back one’s chain ends as withdrawn',
    tag: 'Expenses',
    permission: 'expenses.submit',
    params: ExpenseIdParam,
    success: { status: 200, schema: DeleteExpenseResponse, description: 'Deleted' },
    refusals: [400, 401, 403, 404, 409],
  },
  listDeleted: {
    method: 'get',
    path: '/api/expenses/deleted',
    service: 'expense',
    summary: 'The company’s deleted expenses, most recently deleted first (admins)',
    tag: 'Expenses',
    permission: 'expenses.restore',
    query: PageQuery,
    success: { status: 200, schema: DeletedExpensePage, description: 'A page of deleted expenses' },
    refusals: [400, 401, 403],
  },
  restore: {
    method: 'post',
    path: '/api/expenses/{id}/restore',
    service: 'expense',
    summary: 'Restore a deleted expense as it was (admins)',
    tag: 'Expenses',
    permission: 'expenses.restore',
    params: ExpenseIdParam,
    body: RestoreExpenseRequest,
    success: { status: 200, schema: RestoreExpenseResponse, description: 'Restored' },
    refusals: [400, 401, 403, 404, 409],
  },
  payExpenses: {
    method: 'post',
    path: '/api/payouts',
    service: 'expense',
    summary:
      'Pay approved expenses in one batch (finance); one result per expense, ExpensePaid for each paid',
    tag: 'Payouts',
    permission: 'payouts.manage',
    body: PayoutRequest,
    success: { status: 200, schema: PayoutResponse, description: 'One result per expense' },
    refusals: [400, 401, 403],
  },
  getPayout: {
    method: 'get',
    path: '/api/payouts/{id}',
    service: 'expense',
    summary: 'A payout with the expenses it paid (finance)',
    tag: 'Payouts',
    permission: 'payouts.manage',
    params: PayoutIdParam,
    success: { status: 200, schema: PayoutDocument, description: 'The payout' },
    refusals: [400, 401, 403, 404],
  },
});
