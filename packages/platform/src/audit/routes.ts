import {
  type AuditChainReport,
  AuditChainVerifyQuery,
  type AuditLogEntry,
  type AuditService,
  type AuditTrailPage,
  AuditTrailQuery,
} from '@countersign/contracts';
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import type { ServiceEnv } from '../http/app.js';
import { requireAuth, requirePermission, type TokenVerifier } from '../http/auth.js';
import { parseOrThrow } from '../http/validation.js';
import type { AuditKeys } from './checkpoint.js';
import type { AuditCheckpointStore } from './checkpoint-store.js';
import type { AuditEntry } from './entry.js';
import { type AuditQuery, listAuditEntries } from './read.js';
import type { AuditTables } from './table.js';
import { verifyAuditChain } from './verify.js';

export interface AuditTrailRouteDeps<DB extends AuditTables> {
  db: Kysely<DB>;
  service: AuditService;
  verifyToken: TokenVerifier;
  /** The signed checkpoints (outside the database) verify checks the chain against. */
  checkpoints: AuditCheckpointDeps;
}

/** Where a service's signed checkpoints are read from, and the keys they are checked with. */
export interface AuditCheckpointDeps {
  store: AuditCheckpointStore;
  keys: AuditKeys;
}

/**
 * The service side of GET /api/audit-logs and /api/audit-logs/verify: the caller's
 * company's entries of this service's trail, and the walk of its chain. Only the gateway
 * calls these (services are not public), with the caller's token, checked again here.
 */
export function mountAuditTrail<A extends Hono<ServiceEnv>, DB extends AuditTables>(
  app: A,
  deps: AuditTrailRouteDeps<DB>,
): A {
  // Kysely's types are invariant in the database; only the audit table is reached here.
  const db = deps.db as unknown as Kysely<AuditTables>;
  app.use('/audit-logs', requireAuth(deps.verifyToken), requirePermission('audit.read'));
  app.use('/audit-logs/*', requireAuth(deps.verifyToken), requirePermission('audit.read'));
  app.get('/audit-logs', async (c) => {
    const query = parseOrThrow(AuditTrailQuery, c.req.query());
    const entries = await listAuditEntries(db, auditQueryOf(query, c.var.caller.company_id));
    const page: AuditTrailPage = { items: entries.map((e) => auditLogEntryOf(e, deps.service)) };
    return c.json(page);
  });
  app.get('/audit-logs/verify', async (c) => {
    const query = parseOrThrow(AuditChainVerifyQuery, c.req.query());
    const verdict = await verifyCompanyChain(db, deps.checkpoints, c.var.caller.company_id, query);
    const report: AuditChainReport = { service: deps.service, ...verdict };
    return c.json(report);
  });
  return app;
}

/**
 * One page of the company's chain in this service, checked against its newest signed
 * checkpoint (read from the store, never from the database).
 */
export async function verifyCompanyChain(
  db: Kysely<AuditTables>,
  checkpoints: AuditCheckpointDeps,
  companyId: string,
  page: AuditChainVerifyQuery,
) {
  const latest = await checkpoints.store.latest(companyId);
  return verifyAuditChain(db, companyId, {
    after: page.after,
    limit: page.limit,
    checkpoint: { latest, trusted: checkpoints.keys.trusted },
  });
}

export function auditQueryOf(query: AuditTrailQuery, companyId: string): AuditQuery {
  return {
    companyId,
    limit: query.limit,
    ...(query.actor ? { actorId: query.actor } : {}),
    ...(query.action ? { action: query.action } : {}),
    ...(query.entity_type ? { entityType: query.entity_type } : {}),
    ...(query.entity_id ? { entityId: query.entity_id } : {}),
    ...(query.from ? { from: new Date(query.from) } : {}),
    ...(query.to ? { to: new Date(query.to) } : {}),
    ...(query.before_at && query.before_id
      ? { before: { occurredAt: new Date(query.before_at), id: query.before_id } }
      : {}),
  };
}

export function auditLogEntryOf(entry: AuditEntry, service: AuditService): AuditLogEntry {
  const { id, ...rest } = entry;
  return { id, service, ...rest };
}
