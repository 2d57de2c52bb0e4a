import {
  type ApiRoute,
  apiRoutes,
  fillPath,
  type OwningService,
  servicePathOf,
} from '@countersign/contracts';

export type Upstream = OwningService;

/**
 * One public route the gateway checks and forwards to the service that owns it. Declared
 * once in the contracts (packages/contracts/src/routes), where the service serves it from too.
 */
export interface ForwardedRoute extends ApiRoute {
  upstream: Upstream;
  upstreamPath: (params: Record<string, string>) => string;
}

/** Every public route the gateway forwards, each with the permission it needs. */
export const forwardedRoutes: ForwardedRoute[] = apiRoutes.map((route) => {
  const servicePath = servicePathOf(route);
  return {
    ...route,
    upstream: route.service,
    upstreamPath: (params) => fillPath(servicePath, params),
  };
});
