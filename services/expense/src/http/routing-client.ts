import { RoutingDecision as RoutingDecisionSchema } from '@countersign/contracts';
import { callService, errorFromProblem, UpstreamError } from '@countersign/platform';
import type { RoutingPort } from '../use-cases/routing-port.js';

/**
 * Asks the approval service how an expense would route, as the caller. Its refusals
 * (404/422/403) are passed on to the client as they are; anything else is a 503.
 */
export function createRoutingClient(approvalUrl: string): RoutingPort {
  return async (token, request, requestId) => {
    const response = await callService(approvalUrl, {
      method: 'POST',
      service: 'approval',
      path: '/routing-decisions',
      token,
      body: request,
      ...(requestId ? { requestId } : {}),
    });
    const body = parseJson(response.body);
    if (response.status === 200) {
      const decision = RoutingDecisionSchema.safeParse(body);
      if (decision.success) return decision.data;
      throw new UpstreamError(
        'the approval service answered with a routing decision of the wrong shape',
      );
    }
    if (response.status >= 400 && response.status < 500 && isProblem(body)) {
      throw errorFromProblem(response.status, body);
    }
    throw new UpstreamError(`the approval service answered ${response.status}`);
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isProblem(body: unknown): body is { type: string; title: string; detail?: string } {
  return typeof body === 'object' && body !== null && 'type' in body && 'title' in body;
}
