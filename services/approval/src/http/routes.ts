import { expenseRoutes, policyRoutes, RoutingRequest } from '@countersign/contracts';
import {
  type AuditCheckpointDeps,
  createServiceApp,
  ForbiddenError,
  type Logger,
  mountAuditTrail,
  type ReadinessCheck,
  readJsonBody,
  requireAuth,
  requirePermission,
  routeServer,
  type ServeRoute,
  type ServiceFigures,
  type ServiceMetrics,
  type TokenVerifier,
} from '@countersign/platform';
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
  /** Signed audit checkpoints, for GET /audit-logs/verify. */
  auditCheckpoints: AuditCheckpointDeps;
  logger: Logger;
  verifyToken: TokenVerifier;
  readiness: ReadinessCheck[];
  figures?: ServiceFigures;
  /** Request timing and `GET /metrics`. */
  metrics?: ServiceMetrics;
  now: () => Date;
}

function assertSelf(claimed: string | undefined, callerId: string) {
  if (claimed !== undefined && claimed !== callerId) {
    throw new ForbiddenError('approver_id must be your own id: decisions are made as the caller');
  }
}

export function createApprovalApp(deps: ApprovalHttpDeps) {
  const app = createServiceApp(deps.logger, deps.readiness, deps.figures, {
    metrics: deps.metrics,
  });
  mountAuditTrail(app, {
    db: deps.db,
    service: 'approval',
    verifyToken: deps.verifyToken,
    checkpoints: deps.auditCheckpoints,
  });
  const serve = routeServer(app, deps.verifyToken);

  // Internal: the expense service asks where an expense routes; not a public route.
  app.post(
    '/routing-decisions',
    requireAuth(deps.verifyToken),
    requirePermission('expenses.submit'),
    async (c) => {
      const request = await readJsonBody(c, RoutingRequest);
      return c.json(await decideRouting(deps.db, c.var.caller, request));
    },
  );

  serve(policyRoutes.preview, async (c, { body }) =>
    c.json(await previewRouting(deps.db, c.var.caller, body)),
  );

  serve(policyRoutes.explainRouting, async (c, { params }) =>
    c.json(await explainExpenseRouting(deps.db, c.var.caller, params.id)),
  );

  serve(expenseRoutes.approve, async (c, { body }) => {
    assertSelf(body.approver_id, c.var.caller.sub);
    const result = await recordDecision(
      deps.db,
      c.var.caller,
      { kind: 'approve', expenseId: body.expense_id, comments: body.comments ?? null },
      deps.now(),
    );
    return c.json(result);
  });

  serve(expenseRoutes.reject, async (c, { body }) => {
    assertSelf(body.approver_id, c.var.caller.sub);
    const result = await recordDecision(
      deps.db,
      c.var.caller,
      { kind: 'reject', expenseId: body.expense_id, reason: body.reason },
      deps.now(),
    );
    return c.json(result);
  });

  serve(expenseRoutes.listPending, async (c, { query }) =>
    c.json(await listPendingApprovals(deps.db, c.var.caller, query, deps.now())),
  );
  registerDecisionRoutes(serve, deps);
  registerOrgRoutes(app, serve, deps);
  registerDelegationRoutes(serve, deps);
  registerPolicyRoutes(serve, deps);
  return app;
}

/** Send back, withdraw, seed 002's decision and bulk decisions. */
function registerDecisionRoutes(serve: ServeRoute, deps: ApprovalHttpDeps): void {
  serve(expenseRoutes.sendBack, async (c, { params, body }) => {
    const result = await recordDecision(
      deps.db,
      c.var.caller,
      { kind: 'send-back', expenseId: params.id, comment: body.comment },
      deps.now(),
    );
    return c.json(result);
  });

  serve(expenseRoutes.withdraw, async (c, { params, body }) =>
    c.json(
      await withdrawExpense(deps.db, c.var.caller, params.id, body.reason ?? null, deps.now()),
    ),
  );

  serve(expenseRoutes.decideInBulk, async (c, { body }) =>
    c.json(await decideInBulk(deps.db, c.var.caller, body, deps.now)),
  );

  serve(expenseRoutes.decideApproval, async (c, { params, body }) =>
    c.json(await decideApproval(deps.db, c.var.caller, params.approval_id, body, deps.now())),
  );
}
