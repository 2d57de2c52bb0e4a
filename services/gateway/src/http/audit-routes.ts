import {
  AUDIT_VERIFY_MAX_LIMIT,
  AuditLogPage,
  AuditLogQuery,
  AuditVerification,
  AuditVerifyQuery,
} from '@countersign/contracts';
import {
  type AuditCheckpointDeps,
  type AuditTables,
  parseOrThrow,
  requireAuth,
  requirePermission,
  type ServiceEnv,
  type ServiceResponse,
  type TokenVerifier,
} from '@countersign/platform';
import type { Context, Hono } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Kysely } from 'kysely';
import { readAuditLogs } from '../use-cases/read-audit-logs.js';
import { verifyAuditLogs } from '../use-cases/verify-audit-logs.js';
import type { Upstream } from './api-routes.js';
import type { DocumentedRoute } from './openapi.js';

export interface AuditRouteDeps {
  db: Kysely<AuditTables>;
  upstreams: Record<Upstream, string>;
  verifyToken: TokenVerifier;
  /** The gateway's own signed checkpoints, for its identity trail's verify. */
  checkpoints: AuditCheckpointDeps;
}

const tag = 'Audit trail';

export const auditRouteDocs: DocumentedRoute[] = [
  {
    method: 'get',
    path: '/api/audit-logs',
    tag,
    summary:
      'The company’s audit trail across every service, newest first; filter by actor, action, entity type and id, from/to and service; cursor paging',
    permission: 'audit.read',
    query: AuditLogQuery,
    success: { status: 200, schema: AuditLogPage, description: 'A page of entries' },
    refusals: [400, 401, 403],
  },
  {
    method: 'get',
    path: '/api/audit-logs/verify',
    tag,
    summary: `Re-walks a page of the company’s hash chain in every service (up to limit places each, at most ${AUDIT_VERIFY_MAX_LIMIT}), checks each chain against its newest signed checkpoint (a cut tail, a rewrite), and names the first broken place (service, sequence, id, why); next_cursor walks on`,
    permission: 'audit.read',
    query: AuditVerifyQuery,
    success: { status: 200, schema: AuditVerification, description: 'The verdict per service' },
    refusals: [400, 401, 403],
  },
];

/** The merged audit trail: the gateway's own identity trail and each service's. */
export function mountAuditRoutes(app: Hono<ServiceEnv>, deps: AuditRouteDeps): void {
  const guard = [requireAuth(deps.verifyToken), requirePermission('audit.read')] as const;
  app.get('/api/audit-logs/verify', ...guard, async (c) => {
    const query = parseOrThrow(AuditVerifyQuery, c.req.query());
    const answer = await verifyAuditLogs(deps, callOf(c), query);
    return 'verification' in answer ? c.json(answer.verification) : relayed(c, answer.refusal);
  });
  app.get('/api/audit-logs', ...guard, async (c) => {
    const query = parseOrThrow(AuditLogQuery, c.req.query());
    const answer = await readAuditLogs(deps, callOf(c), query);
    return 'page' in answer ? c.json(answer.page) : relayed(c, answer.refusal);
  });
}

function callOf(c: Context<ServiceEnv>) {
  return { companyId: c.var.caller.company_id, token: c.var.token, requestId: c.var.requestId };
}

function relayed(c: Context<ServiceEnv>, upstream: ServiceResponse): Response {
  return c.body(upstream.body, upstream.status as ContentfulStatusCode, {
    'content-type': upstream.contentType,
  });
}
