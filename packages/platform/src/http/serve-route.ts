import { type ApiRoute, servicePathOf } from '@countersign/contracts';
import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import type { ServiceEnv } from './app.js';
import { requireAuth, requirePermission, type TokenVerifier } from './auth.js';
import { hasNoBody, parseOrThrow, readJsonBody } from './validation.js';

type Parsed<R, Key extends 'params' | 'query' | 'body'> = R extends {
  [K in Key]: infer S extends z.ZodType;
}
  ? z.infer<S>
  : undefined;

/** What a route's handler gets: its params, query and JSON body, each checked by its schema. */
export interface RouteInput<R extends ApiRoute> {
  params: Parsed<R, 'params'>;
  query: Parsed<R, 'query'>;
  body: R extends { bodyOptional: true } ? Parsed<R, 'body'> | undefined : Parsed<R, 'body'>;
}

export type RouteHandler<R extends ApiRoute> = (
  c: Context<ServiceEnv>,
  input: RouteInput<R>,
) => Response | Promise<Response>;

/** Serves one declared route: see routeServer. */
export type ServeRoute = <R extends ApiRoute>(route: R, handler: RouteHandler<R>) => void;

/**
 * Serves declared routes (packages/contracts/src/routes) on a service's app: each at the
 * declared method and service path, behind authentication and the declared permission,
 * with params, query and body parsed by the declared schemas before the handler runs. The
 * gateway forwards from the same declarations, so the two cannot drift apart.
 */
export function routeServer(app: Hono<ServiceEnv>, verifyToken: TokenVerifier): ServeRoute {
  const auth = requireAuth(verifyToken);
  return (route, handler) => {
    app.on(
      route.method.toUpperCase(),
      honoPathOf(route),
      auth,
      requirePermission(route.permission),
      async (c) => handler(c, await readRouteInput(c, route)),
    );
  };
}

/** The service path in Hono's syntax: `{id}` becomes `:id`. */
export function honoPathOf(route: Pick<ApiRoute, 'path'>): string {
  return servicePathOf(route).replace(/\{(\w+)\}/g, ':$1');
}

async function readRouteInput<R extends ApiRoute>(
  c: Context<ServiceEnv>,
  route: R,
): Promise<RouteInput<R>> {
  const params: unknown = route.params ? parseOrThrow(route.params, c.req.param()) : undefined;
  const query: unknown = route.query ? parseOrThrow(route.query, c.req.query()) : undefined;
  const bodySent = !(route.bodyOptional && hasNoBody(c));
  const body: unknown = route.body && bodySent ? await readJsonBody(c, route.body) : undefined;
  // Each part was parsed by the schema RouteInput<R> infers its type from.
  return { params, query, body } as RouteInput<R>;
}

/**
 * Where a service's app and the declarations disagree: declared routes of `service` it does
 * not serve, and routes it serves that another service owns. Both are empty when they agree.
 */
export function routeDrift(
  app: Pick<Hono<ServiceEnv>, 'routes'>,
  declared: readonly ApiRoute[],
  service: ApiRoute['service'],
): { unserved: string[]; ownedElsewhere: string[] } {
  const key = (method: string, path: string) => `${method.toUpperCase()} ${path}`;
  const served = new Set(app.routes.map((route) => key(route.method, route.path)));
  const declaredKey = (route: ApiRoute) => key(route.method, honoPathOf(route));
  return {
    unserved: declared
      .filter((route) => route.service === service && !served.has(declaredKey(route)))
      .map(declaredKey),
    ownedElsewhere: declared
      .filter((route) => route.service !== service && served.has(declaredKey(route)))
      .map(declaredKey),
  };
}
