import {
  ApprovalDecisionRequest,
  ApprovalIdParam,
  ApproveRequest,
  BulkDecisionRequest,
  ExpenseIdParam,
  IdParam,
  PageQuery,
  PreviewExpenseRequest,
  RejectRequest,
  RoutingRequest,
  SendBackRequest,
  WithdrawRequest,
} from '@countersign/contracts';
import {
  createServiceApp,
  ForbiddenError,
  type Logger,
  mountAuditTrail,
  parseOrThrow,
  type ReadinessCheck,
  readJsonBody,
  requireAuth,
  requirePermission,
  type ServiceEnv,
  type ServiceFigures,
  type TokenVerifier,
} from '@countersign/platform';
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { ApprovalDatabase } from '../db/types.js';
import { decideApproval } from '../use-cases/decide-approval.js';
import { decideInBulk } from '../use-cases/decide-in-bulk.js';
import { decideRouting } from '../use-cases/decide-routing.js';
import { explainExpenseRouting } from '../use-cases/explain-expense-routing.js';
import { listPendingApprovals } from '../use-cases/list-pending-approvals.js';
import { previewRouting } from '../use-cases/preview-routing.js';
import { recordDecision } from '../use-cases/record-decision.js';
import { withdrawExpense } from '../use-cases/withdraw-expense.js';
import { registerDelegationRoutes } from './delegation-routes.js';
import { registerOrgRoutes } from './org-routes.js';
import { registerPolicyRoutes } from './policy-routes.js';

export interface ApprovalHttpDeps {
  db: Kysely<ApprovalDatabase>;
  logger: Logger;
  verifyToken: TokenVerifier;
  readiness: ReadinessCheck[];
  figures?: ServiceFigures;
  now: () => Date;
}

function assertSelf(claimed: string | undefined, callerId: string) {
  if (claimed !== undefined && claimed !== callerId) {
    throw new ForbiddenError('approver_id must be your own id: decisions are made as the caller');
  }
}

export function createApprovalApp(deps: ApprovalHttpDeps) {
  const app = createServiceApp(deps.logger, deps.readiness, deps.figures);
  mountAuditTrail(app, { db: deps.db, service: 'approval', verifyToken: deps.verifyToken });
  app.use('/routing-decisions', requireAuth(deps.verifyToken));
  app.use('/expenses/*', requireAuth(deps.verifyToken));
  app.use('/approvals/*', requireAuth(deps.verifyToken));

  app.post('/routing-decisions', requirePermission('expenses.submit'), async (c) => {
    const request = await readJsonBody(c, RoutingRequest);
    return c.json(await decideRouting(deps.db, c.var.caller, request));
  });

  app.post('/expenses/preview', requirePermission('expenses.submit'), async (c) => {
    const request = await readJsonBody(c, PreviewExpenseRequest);
    return c.json(await previewRouting(deps.db, c.var.caller, request));
  });

  app.get('/expenses/:id/routing', requirePermission('expenses.read'), async (c) => {
    const { id } = parseOrThrow(IdParam, c.req.param());
    return c.json(await explainExpenseRouting(deps.db, c.var.caller, id));
  });

  app.post('/expenses/approve', requirePermission('approvals.decide'), async (c) => {
    const body = await readJsonBody(c, ApproveRequest);
    assertSelf(body.approver_id, c.var.caller.sub);
    const result = await recordDecision(
      deps.db,
      c.var.caller,
      { kind: 'approve', expenseId: body.expense_id, comments: body.comments ?? null },
      deps.now(),
    );
    return c.json(result);
  });

  app.post('/expenses/reject', requirePermission('approvals.decide'), async (c) => {
    const body = await readJsonBody(c, RejectRequest);
    assertSelf(body.approver_id, c.var.caller.sub);
    const result = await recordDecision(
      deps.db,
      c.var.caller,
      { kind: 'reject', expenseId: body.expense_id, reason: body.reason },
      deps.now(),
    );
    return c.json(result);
  });

  app.get('/approvals/pending', requirePermission('approvals.queue'), async (c) => {
    const page = parseOrThrow(PageQuery, c.req.query());
    return c.json(await listPendingApprovals(deps.db, c.var.caller, page, deps.now()));
  });
  registerDecisionRoutes(app, deps);
  registerOrgRoutes(app, deps);
  registerDelegationRoutes(app, deps);
  registerPolicyRoutes(app, deps);
  return app;
}

/** Send back, withdraw, seed 002's decision and bulk decisions. */
function registerDecisionRoutes(app: Hono<ServiceEnv>, deps: ApprovalHttpDeps): void {
  app.post('/expenses/:id/send-back', requirePermission('approvals.decide'), async (c) => {
    const { id } = parseOrThrow(ExpenseIdParam, c.req.param());
    const body = await readJsonBody(c, SendBackRequest);
    const result = await recordDecision(
      deps.db,
      c.var.caller,
      { kind: 'send-back', expenseId: id, comment: body.comment },
      deps.now(),
    );
    return c.json(result);
  });

  app.post('/expenses/:id/withdraw', requirePermission('expenses.submit'), async (c) => {
    const { id } = parseOrThrow(ExpenseIdParam, c.req.param());
    const body = await readJsonBody(c, WithdrawRequest);
    return c.json(
      await withdrawExpense(deps.db, c.var.caller, id, body.reason ?? null, deps.now()),
    );
  });

  app.post('/approvals/bulk', requirePermission('approvals.decide'), async (c) => {
    const body = await readJsonBody(c, BulkDecisionRequest);
    return c.json(await decideInBulk(deps.db, c.var.caller, body, deps.now));
  });

  app.post('/approvals/:approval_id/decision', requirePermission('approvals.decide'), async (c) => {
    const { approval_id } = parseOrThrow(ApprovalIdParam, c.req.param());
    const body = await readJsonBody(c, ApprovalDecisionRequest);
    return c.json(await decideApproval(deps.db, c.var.caller, approval_id, body, deps.now()));
  });
}
