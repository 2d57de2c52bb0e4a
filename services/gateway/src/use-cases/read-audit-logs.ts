import {
  type AuditLogPage,
  type AuditLogQuery,
  type AuditService,
  AuditTrailPage,
  AuditTrailQuery,
} from '@countersign/contracts';
import {
  type AuditTables,
  auditLogEntryOf,
  auditQueryOf,
  callService,
  decodeCursor,
  encodeCursor,
  listAuditEntries,
  type ServiceResponse,
} from '@countersign/platform';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import {
  AUDIT_SERVICES,
  type AuditPosition,
  mergeAuditPages,
  serviceKeyAfter,
} from '../domain/audit-cursor.js';

export interface AuditReadDeps {
  db: Kysely<AuditTables>;
  /** Where each service behind the gateway answers: it keeps its own audit trail. */
  upstreams: Record<Exclude<AuditService, 'gateway'>, string>;
}

export interface AuditCall {
  companyId: string;
  token: string;
  requestId: string;
}

const Position = z.object({
  at: z.iso.datetime({ offset: true }),
  service: z.enum(['gateway', 'expense', 'approval', 'notification']),
  id: z.uuid(),
});

/**
 * The company's audit trail across the services, newest first: the gateway's own
 * identity trail read here, the others asked for their next entries after the cursor's
 * position, merged. The cursor is the position itself, so no state is kept between pages.
 * A service's refusal is handed back as it is.
 */
export async function readAuditLogs(
  deps: AuditReadDeps,
  call: AuditCall,
  query: AuditLogQuery,
): Promise<{ page: AuditLogPage } | { refusal: ServiceResponse }> {
  const position: AuditPosition | undefined = decodeCursor(Position, query.cursor);
  const services = query.service ? [query.service] : AUDIT_SERVICES;
  const answers = await Promise.all(
    services.map((service) => nextEntries(deps, call, service, query, position)),
  );
  const refusal = answers.find((a) => 'refusal' in a);
  if (refusal && 'refusal' in refusal) return refusal;
  const pages = answers.map((a) => ('items' in a ? a.items : []));
  const { items, next } = mergeAuditPages(pages, query.limit);
  return { page: { items, next_cursor: next ? encodeCursor({ ...next }) : null } };
}

async function nextEntries(
  deps: AuditReadDeps,
  call: AuditCall,
  service: AuditService,
  query: AuditLogQuery,
  position: AuditPosition | undefined,
): Promise<AuditTrailPage | { refusal: ServiceResponse }> {
  const trailQuery = AuditTrailQuery.parse({
    ...filtersOf(query),
    ...(position ? serviceKeyAfter(position, service) : {}),
    limit: query.limit + 1,
  });
  if (service === 'gateway') {
    const entries = await listAuditEntries(deps.db, auditQueryOf(trailQuery, call.companyId));
    return { items: entries.map((e) => auditLogEntryOf(e, 'gateway')) };
  }
  const search = new URLSearchParams(
    Object.entries(trailQuery).map(([k, v]) => [k, String(v)] as [string, string]),
  );
  const answer = await callService(deps.upstreams[service], {
    method: 'GET',
    service,
    path: `/audit-logs?${search}`,
    token: call.token,
    requestId: call.requestId,
  });
  if (answer.status !== 200) return { refusal: answer };
  return AuditTrailPage.parse(JSON.parse(answer.body));
}

function filtersOf(query: AuditLogQuery) {
  const { cursor: _cursor, limit: _limit, service: _service, ...filters } = query;
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => v !== undefined));
}
