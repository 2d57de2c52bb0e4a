import type { RoutingDecision, RoutingRequest } from '@countersign/contracts';

/**
 * How a use case learns where an expense routes, as the caller: the port the HTTP client to
 * the approval service fills. A refusal is thrown as a domain error.
 */
export type RoutingPort = (
  token: string,
  request: RoutingRequest,
  requestId?: string,
) => Promise<RoutingDecision>;
