import {
  type AuditChainReport,
  AuditChainReport as AuditChainReportSchema,
  type AuditService,
  type AuditVerification,
} from '@countersign/contracts';
import { callService, type ServiceResponse, verifyAuditChain } from '@countersign/platform';
import { AUDIT_SERVICES } from '../domain/audit-cursor.js';
import type { AuditCall, AuditReadDeps } from './read-audit-logs.js';

/**
 * Re-walks the caller's company's chain in every service (each walks its own; the
 * gateway its identity trail) and names the first broken entry, in service order.
 */
export async function verifyAuditLogs(
  deps: AuditReadDeps,
  call: AuditCall,
): Promise<{ verification: AuditVerification } | { refusal: ServiceResponse }> {
  const reports = await Promise.all(AUDIT_SERVICES.map((s) => reportOf(deps, call, s)));
  const refusal = reports.find((r) => 'refusal' in r);
  if (refusal && 'refusal' in refusal) return refusal;
  const services = reports.filter((r): r is AuditChainReport => !('refusal' in r));
  const firstBroken = services.find((r) => r.broken !== null);
  return {
    verification: {
      intact: firstBroken === undefined,
      first_broken: firstBroken?.broken
        ? { service: firstBroken.service, ...firstBroken.broken }
        : null,
      services,
    },
  };
}

async function reportOf(
  deps: AuditReadDeps,
  call: AuditCall,
  service: AuditService,
): Promise<AuditChainReport | { refusal: ServiceResponse }> {
  if (service === 'gateway') {
    return { service, ...(await verifyAuditChain(deps.db, call.companyId)) };
  }
  const answer = await callService(deps.upstreams[service], {
    method: 'GET',
    service,
    path: '/audit-logs/verify',
    token: call.token,
    requestId: call.requestId,
    // A long chain takes a while to re-walk.
    timeoutMs: 60_000,
  });
  if (answer.status !== 200) return { refusal: answer };
  return AuditChainReportSchema.parse(JSON.parse(answer.body));
}
