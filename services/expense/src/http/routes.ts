import { expenseRoutes, lifecycleRoutes } from '@countersign/contracts';
import {
  type AuditCheckpointDeps,
  createServiceApp,
  type Logger,
  mountAuditTrail,
  type ReadinessCheck,
  routeServer,
  type ServiceFigures,
  type ServiceMetrics,
  type TokenVerifier,
} from '@countersign/platform';
import type { Kysely } from 'kysely';
import type { ExpenseDatabase } from '../db/types.js';
import { type ChartOfAccounts, defaultChart } from '../domain/journal.js';
import type { ReceiptLimits } from '../domain/receipt-limits.js';
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
  /** Signed audit checkpoints, for GET /audit-logs/verify. */
  auditCheckpoints: AuditCheckpointDeps;
  logger: Logger;
  verifyToken: TokenVerifier;
  route: RoutingPort;
  readiness: ReadinessCheck[];
  figures?: ServiceFigures;
  /** Request timing and `GET /metrics`. */
  metrics?: ServiceMetrics;
  now: () => Date;
  storage: ReceiptStorage;
  /** Receipts per expense, receipt bytes per company, pixels per image. */
  receiptLimits: ReceiptLimits;
  /** Nudges this replica's OCR worker when a receipt is queued. */
  receiptQueued?: () => void;
  /** The journal export's accounts (default: `6000-<category>`, 2100 payables, 1000 bank). */
  chart?: ChartOfAccounts;
}

export function createExpenseApp(deps: ExpenseHttpDeps) {
  const app = createServiceApp(deps.logger, deps.readiness, deps.figures, {
    largeBodyRoutes: [receiptUploadRoute],
    metrics: deps.metrics,
  });
  mountAuditTrail(app, {
    db: deps.db,
    service: 'expense',
    verifyToken: deps.verifyToken,
    checkpoints: deps.auditCheckpoints,
  });
  const serve = routeServer(app, deps.verifyToken);

  serve(expenseRoutes.submit, async (c, { body }) => {
    const created = await submitExpense(deps, c.var.caller, c.var.token, body, c.var.requestId);
    return c.json(created, 201);
  });

  serve(expenseRoutes.list, async (c, { query }) =>
    c.json(await listExpenses(deps.db, c.var.caller, query)),
  );

  serve(expenseRoutes.getStatus, async (c, { params }) =>
    c.json(await getExpenseStatus(deps.db, c.var.caller, params.id)),
  );

  // Served before `/expenses/:id/...`: a literal segment, not an id.
  serve(lifecycleRoutes.listDeleted, async (c, { query }) =>
    c.json(await listDeletedExpenses(deps.db, c.var.caller, query)),
  );

  serve(lifecycleRoutes.createDraft, async (c, { body }) =>
    c.json(await createDraft(deps, c.var.caller, body), 201),
  );

  serve(lifecycleRoutes.submitDraft, async (c, { params }) =>
    c.json(await submitDraft(deps, c.var.caller, c.var.token, params.id, c.var.requestId)),
  );

  serve(lifecycleRoutes.delete, async (c, { params }) =>
    c.json(await deleteExpense(deps.db, c.var.caller, params.id, deps.now())),
  );

  serve(lifecycleRoutes.restore, async (c, { params }) =>
    c.json(await restoreExpense(deps.db, c.var.caller, params.id)),
  );

  // Only while the expense is a draft or sent back: the submitter's changes before (re)submitting.
  serve(expenseRoutes.edit, async (c, { params, body }) =>
    c.json(await editExpense(deps.db, c.var.caller, params.id, body)),
  );

  serve(expenseRoutes.resubmit, async (c, { params }) =>
    c.json(await resubmitExpense(deps, c.var.caller, c.var.token, params.id, c.var.requestId)),
  );

  serve(lifecycleRoutes.payExpenses, async (c, { body }) =>
    c.json(await payExpenses(deps.db, c.var.caller, body, deps.now())),
  );
  serve(lifecycleRoutes.getPayout, async (c, { params }) =>
    c.json(await getPayout(deps.db, c.var.caller, params.id)),
  );

  mountWorkspaceRoutes(serve, deps);
  mountMoneyRoutes(serve, deps);
  mountReceiptRoutes(serve, { ...deps, limits: deps.receiptLimits });
  mountReportRoutes(serve, { ...deps, chart: deps.chart ?? defaultChart });
  return app;
}
