import { AsyncLocalStorage } from 'node:async_hooks';
import { trace } from '@opentelemetry/api';

/**
 * What an audit entry learns from the request it is written in, without every use case
 * passing it down: the request id (the gateway's X-Request-Id, which it forwards to the
 * services) and the authenticated caller's role. The service shell opens a scope per
 * request; requireAuth notes the caller in it.
 */
export interface AuditScope {
  requestId?: string;
  caller?: { id: string; role: string };
}

const storage = new AsyncLocalStorage<AuditScope>();

export function runInAuditScope<T>(scope: AuditScope, work: () => T): T {
  return storage.run(scope, work);
}

/** Called once the caller is known; a no-op outside a request (jobs, consumers). */
export function noteAuditCaller(caller: { id: string; role: string }): void {
  const scope = storage.getStore();
  if (scope) scope.caller = caller;
}

export function currentAuditScope(): AuditScope {
  return storage.getStore() ?? {};
}

const NO_TRACE = '00000000000000000000000000000000';

/** The trace id of the active OpenTelemetry span, when there is a real one. */
export function currentTraceId(): string | null {
  const traceId = trace.getActiveSpan()?.spanContext().traceId;
  return traceId && traceId !== NO_TRACE ? traceId : null;
}
