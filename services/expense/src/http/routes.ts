import {
  CreateExpenseRequest,
  EditExpenseRequest,
  ExpenseIdParam,
  ExpenseListQuery,
  PageQuery,
  PayoutIdParam,
  PayoutRequest,
  RestoreExpenseRequest,
  ResubmitRequest,
  SubmitDraftRequest,
} from '@countersign/contracts';
import {
  createServiceApp,
  type Logger,
  mountAuditTrail,
  parseOrThrow,
  type ReadinessCheck,
  readJsonBody,
  requireAuth,
  requirePermission,
  type ServiceFigures,
  type TokenVerifier,
} from '@countersign/platform';
import type { Kysely } from 'kysely';
import type { ExpenseDatabase } from '../db/types.js';
import { type ChartOfAccounts, defaultChart } from '../domain/journal.js';
import type { ReceiptStorage } from '../storage/receipt-storage.js';
import { createDraft } from '../use-cases/create-draft.js';
import { deleteExpense } from '../use-cases/delete-expense.js';
import { editExpense } from '../use-cases/edit-expense.js';
import { getExpenseStatus } from '../use-cases/get-expense-status.js';
import { getPayout } from '../use-cases/get-payout.js';
import { listDeletedExpenses } from '../use-cases/list-deleted-expenses.js';
import { listExpenses } from '../use-cases/list-expenses.js';
import { payExpenses } from '../use-cases/pay-expenses.js';
import { restoreExpense } from '../use-cases/restore-expense.js';
import { resubmitExpense } from '../use-cases/resubmit-expense.js';
import type { RoutingPort } from '../use-cases/routing-port.js';
import { submitDraft } from '../use-cases/submit-draft.js';
import { submitExpense } from '../use-cases/submit-expense.js';
import { mountMoneyRoutes } from './money-routes.js';
import { mountReceiptRoutes, receiptUploadRoute } from './receipt-routes.js';
import { mountReportRoutes } from './report-routes.js';
import { mountWorkspaceRoutes } from './workspace-routes.js';

export interface ExpenseHttpDeps {
  db: Kysely<ExpenseDatabase>;
  logger: Logger;
  verifyToken: TokenVerifier;
  route: RoutingPort;
  readiness: ReadinessCheck[];
  figures?: ServiceFigures;
  now: () => Date;
  storage: ReceiptStorage;
  /** Nudges this replica's OCR worker when a receipt is queued. */
  receiptQueued?: () => void;
  /** The journal export's accounts (default: `6000-<category>`, 2100 payables, 1000 bank). */
  chart?: ChartOfAccounts;
}

export function createExpenseApp(deps: ExpenseHttpDeps) {
  const app = createServiceApp(deps.logger, deps.readiness, deps.figures, {
    largeBodyRoutes: [receiptUploadRoute],
  });
  mountAuditTrail(app, { db: deps.db, service: 'expense', verifyToken: deps.verifyToken });
  app.use('/expenses', requireAuth(deps.verifyToken));
  app.use('/expenses/*', requireAuth(deps.verifyToken));

  app.post('/expenses', requirePermission('expenses.submit'), async (c) => {
    const body = await readJsonBody(c, CreateExpenseRequest);
    const created = await submitExpense(deps, c.var.caller, c.var.token, body, c.var.requestId);
    return c.json(created, 201);
  });

  app.get('/expenses', requirePermission('expenses.read'), async (c) => {
    const query = parseOrThrow(ExpenseListQuery, c.req.query());
    return c.json(await listExpenses(deps.db, c.var.caller, query));
  });

  app.get('/expenses/:id/status', requirePermission('expenses.read'), async (c) => {
    const { id } = parseOrThrow(ExpenseIdParam, c.req.param());
    return c.json(await getExpenseStatus(deps.db, c.var.caller, id));
  });

  // Registered before `/expenses/:id/...`: a literal segment, not an id.
  app.get('/expenses/deleted', requirePermission('expenses.restore'), async (c) => {
    const page = parseOrThrow(PageQuery, c.req.query());
    return c.json(await listDeletedExpenses(deps.db, c.var.caller, page));
  });

  app.post('/expenses/drafts', requirePermission('expenses.submit'), async (c) => {
    const body = await readJsonBody(c, CreateExpenseRequest);
    return c.json(await createDraft(deps, c.var.caller, body), 201);
  });

  app.post('/expenses/:id/submit', requirePermission('expenses.submit'), async (c) => {
    const { id } = parseOrThrow(ExpenseIdParam, c.req.param());
    await readJsonBody(c, SubmitDraftRequest);
    return c.json(await submitDraft(deps, c.var.caller, c.var.token, id, c.var.requestId));
  });

  app.delete('/expenses/:id', requirePermission('expenses.submit'), async (c) => {
    const { id } = parseOrThrow(ExpenseIdParam, c.req.param());
    return c.json(await deleteExpense(deps.db, c.var.caller, id, deps.now()));
  });

  app.post('/expenses/:id/restore', requirePermission('expenses.restore'), async (c) => {
    const { id } = parseOrThrow(ExpenseIdParam, c.req.param());
    await readJsonBody(c, RestoreExpenseRequest);
    return c.json(await restoreExpense(deps.db, c.var.caller, id));
  });

  // Only while the expense is a draft or sent back: the submitter's changes before (re)submitting.
  app.patch('/expenses/:id', requirePermission('expenses.submit'), async (c) => {
    const { id } = parseOrThrow(ExpenseIdParam, c.req.param());
    const body = await readJsonBody(c, EditExpenseRequest);
    return c.json(await editExpense(deps.db, c.var.caller, id, body));
  });

  app.post('/expenses/:id/resubmit', requirePermission('expenses.submit'), async (c) => {
    const { id } = parseOrThrow(ExpenseIdParam, c.req.param());
    await readJsonBody(c, ResubmitRequest);
    return c.json(await resubmitExpense(deps, c.var.caller, c.var.token, id, c.var.requestId));
  });

  app.use('/payouts', requireAuth(deps.verifyToken));
  app.use('/payouts/*', requireAuth(deps.verifyToken));
  app.post('/payouts', requirePermission('payouts.manage'), async (c) => {
    const body = await readJsonBody(c, PayoutRequest);
    return c.json(await payExpenses(deps.db, c.var.caller, body, deps.now()));
  });
  app.get('/payouts/:id', requirePermission('payouts.manage'), async (c) => {
    const { id } = parseOrThrow(PayoutIdParam, c.req.param());
    return c.json(await getPayout(deps.db, c.var.caller, id));
  });

  mountWorkspaceRoutes(app, deps);
  mountMoneyRoutes(app, deps);
  mountReceiptRoutes(app, deps);
  mountReportRoutes(app, { ...deps, chart: deps.chart ?? defaultChart });
  return app;
}
