import {
  type AuditChainReport,
  AuditChainReport as AuditChainReportSchema,
  type AuditService,
  type AuditVerification,
  type AuditVerifyQuery,
} from '@countersign/contracts';
import {
  type AuditCheckpointDeps,
  callService,
  decodeCursor,
  encodeCursor,
  type ServiceResponse,
  verifyCompanyChain,
} from '@countersign/platform';
import { z } from 'zod';
import { AUDIT_SERVICES } from '../domain/audit-cursor.js';
import type { AuditCall, AuditReadDeps } from './read-audit-logs.js';

export interface AuditVerifyDeps extends AuditReadDeps {
  /** The gateway's own signed checkpoints (its identity trail). */
  checkpoints: AuditCheckpointDeps;
}

const Place = z.string().regex(/^\d{1,15}$/);
/** Where each service's walk goes on: the last place the previous page checked. */
const Positions = z.object({
  gateway: Place,
  expense: Place,
  approval: Place,
  notification: Place,
});

/**
 * One page of the caller's company's chain in every service (each walks its own; the
 * gateway its identity trail), each from where the cursor left it and up to `limit`
 * places, each checked against its newest signed checkpoint; names the first broken
 * place, in service order. The cursor carries each service's position, so a request costs
 * at most `limit` places per service whatever the history; next_cursor is null once every
 * chain was walked to its end.
 */
export async function verifyAuditLogs(
  deps: AuditVerifyDeps,
  call: AuditCall,
  query: AuditVerifyQuery,
): Promise<{ verification: AuditVerification } | { refusal: ServiceResponse }> {
  const positions = decodeCursor(Positions, query.cursor);
  const reports = await Promise.all(
    AUDIT_SERVICES.map((s) => reportOf(deps, call, s, Number(positions?.[s] ?? 0), query.limit)),
  );
  const refusal = reports.find((r) => 'refusal' in r);
  if (refusal && 'refusal' in refusal) return refusal;
  const services = reports.filter((r): r is AuditChainReport => !('refusal' in r));
  const firstBroken = services.find((r) => r.broken !== null);
  const more = firstBroken === undefined && services.some((r) => r.next_after !== null);
  return {
    verification: {
      intact: firstBroken === undefined,
      first_broken: firstBroken?.broken
        ? { service: firstBroken.service, ...firstBroken.broken }
        : null,
      services,
      next_cursor: more ? encodeCursor(nextPositions(services)) : null,
    },
  };
}

/** A service that reached its end stays there (new places are walked by a later page). */
function nextPositions(services: AuditChainReport[]): Record<AuditService, string> {
  const at = (service: AuditService) => {
    const report = services.find((r) => r.service === service);
    return String(report?.next_after ?? report?.head?.sequence ?? report?.after ?? 0);
  };
  return {
    gateway: at('gateway'),
    expense: at('expense'),
    approval: at('approval'),
    notification: at('notification'),
  };
}

async function reportOf(
  deps: AuditVerifyDeps,
  call: AuditCall,
  service: AuditService,
  after: number,
  limit: number,
): Promise<AuditChainReport | { refusal: ServiceResponse }> {
  if (service === 'gateway') {
    const verdict = await verifyCompanyChain(deps.db, deps.checkpoints, call.companyId, {
      after,
      limit,
    });
    return { service, ...verdict };
  }
  const answer = await callService(deps.upstreams[service], {
    method: 'GET',
    service,
    path: `/audit-logs/verify?${new URLSearchParams({ after: String(after), limit: String(limit) })}`,
    token: call.token,
    requestId: call.requestId,
    timeoutMs: 60_000,
  });
  if (answer.status !== 200) return { refusal: answer };
  return AuditChainReportSchema.parse(JSON.parse(answer.body));
}
