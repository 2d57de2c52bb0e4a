import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, Handler, MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { UnauthorizedError } from '../errors.js';
import type { ServiceMetrics } from './service-metrics.js';

/** Methods kept as they are; any other becomes `OTHER`, so a client cannot mint label values. */
const knownMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

export function methodLabel(method: string): string {
  return knownMethods.has(method) ? method : 'OTHER';
}

/** The route label of a request that no route matched (the shell's 404). */
export const UNMATCHED_ROUTE = 'unmatched';

/**
 * Times every request and records it by method, route pattern and status. The route is
 * the pattern the answering handler (or middleware, e.g. `/api/*` for a rate-limit 429)
 * was registered with, never the raw path: the series stay bounded by the routes the
 * service declares. `unmatched(c)` says the shell's not-found handler answered.
 */
export function recordRequests(
  metrics: ServiceMetrics,
  unmatched: (c: Context) => boolean,
): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    // After next(), routePath(c) is the path of the last handler that ran: the one that answered.
    const route = unmatched(c) ? UNMATCHED_ROUTE : routePath(c) || UNMATCHED_ROUTE;
    metrics.observeRequest(methodLabel(c.req.method), route, c.res.status, seconds);
  };
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Whether an Authorization header carries `Bearer <token>`. Compared as digests in
 * constant time, so the comparison leaks neither the token nor its length.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer (.+)$/i.exec(header ?? '')?.[1];
  if (presented === undefined) return false;
  return timingSafeEqual(digest(presented), digest(token));
}

/**
 * `GET /metrics`: the Prometheus text exposition. With a scrape token configured, only a
 * request carrying it is answered (401 otherwise): the gateway's port is the public one.
 */
export function serveMetrics(metrics: ServiceMetrics): Handler {
  const { scrapeToken } = metrics;
  return async (c) => {
    if (scrapeToken !== undefined && !bearerMatches(c.req.header('authorization'), scrapeToken)) {
      throw new UnauthorizedError(
        'send the scrape token (METRICS_TOKEN) as "Authorization: Bearer <token>"',
      );
    }
    const { contentType, body } = await metrics.exposition();
    return c.body(body, 200, { 'content-type': contentType, 'cache-control': 'no-store' });
  };
}
