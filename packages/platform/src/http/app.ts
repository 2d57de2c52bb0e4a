import type { IncomingMessage } from 'node:http';
import { type Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { runInAuditScope } from '../audit/context.js';
import type { Logger } from '../logger.js';
import { bearerMatches, recordRequests, serveMetrics } from '../metrics/http-metrics.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import type { AuthVariables } from './auth.js';
import { errorToProblem, PROBLEM_TYPE_BASE, problemResponse } from './problem.js';
import { requestIdFor } from './request-id.js';

/** Every API body is a small JSON document; anything larger is refused before it is read. */
export const MAX_BODY_BYTES = 64 * 1024;

export type ServiceEnv = { Variables: AuthVariables & { requestId: string } };

export interface ReadinessCheck {
  name: string;
  check: () => Promise<boolean> | boolean;
}

/** Figures shown beside the readiness checks, e.g. how many messages were dead-lettered. */
export type ServiceFigures = () => Promise<Record<string, number>>;

/** A route whose bodies may be larger than MAX_BODY_BYTES (file uploads). */
export interface LargeBodyRoute {
  method: string;
  /** Matched against the whole request path. */
  path: RegExp;
  maxBytes: number;
}

export interface ServiceShellOptions {
  largeBodyRoutes?: readonly LargeBodyRoute[];
  /** Times every request and serves `GET /metrics` (see packages/platform/src/metrics). */
  metrics?: ServiceMetrics | undefined;
  /**
   * Believe `X-Forwarded-Proto: https` from the proxy in front (TRUST_PROXY): HSTS is sent
   * only on requests that came over TLS, to this process or to that proxy.
   */
  trustForwardedProto?: boolean;
  /**
   * The port clients reach (the gateway's). There /readyz tells its status only; the
   * checks and figures go to an operator with the METRICS_TOKEN (see readinessDetailsFor).
   */
  publicDoor?: boolean;
}

/** A year, subdomains included: sent only on answers that went out over TLS. */
const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * The shell every service's HTTP door shares: request ids, access logs, problem+json for
 * every error and unknown route, /healthz (alive) + /readyz (dependencies answer), and with
 * `metrics`, request timing and /metrics.
 */
export function createServiceApp(
  logger: Logger,
  readiness: ReadinessCheck[],
  figures?: ServiceFigures,
  options: ServiceShellOptions = {},
): Hono<ServiceEnv> {
  return installServiceShell(new Hono<ServiceEnv>(), logger, readiness, figures, options);
}

/** Installs the shared shell on an app the caller made (the gateway brings an OpenAPIHono). */
export function installServiceShell<A extends Hono<ServiceEnv>>(
  app: A,
  logger: Logger,
  readiness: ReadinessCheck[],
  figures?: ServiceFigures,
  options: ServiceShellOptions = {},
): A {
  // Requests the not-found handler answered: their route label is `unmatched`.
  const unmatched = new WeakSet<Context>();
  // First, so the time covers every other middleware too.
  if (options.metrics) app.use(recordRequests(options.metrics, (c) => unmatched.has(c)));
  // nosniff, no framing, no referrer, same-origin resources, on every answer. HSTS is
  // not among them: a browser must learn it over TLS only (RFC 6797 section 7.2).
  app.use(secureHeaders({ strictTransportSecurity: false }));
  app.use(async (c, next) => {
    await next();
    if (cameOverTls(c, options.trustForwardedProto ?? false))
      c.header('strict-transport-security', HSTS);
  });
  const publicDoor = options.publicDoor ?? false;
  app.use(async (c, next) => {
    const id = requestIdFor(c.req.header('x-request-id'), publicDoor);
    c.set('requestId', id);
    c.header('x-request-id', id);
    await next();
  });
  // Audit entries written while this request runs carry its id (the gateway's, forwarded).
  app.use((c, next) => runInAuditScope({ requestId: c.var.requestId }, next));
  // The rest of a refused body is read and thrown away first (within bounds): a client
  // still sending would otherwise meet a reset socket instead of reading the 413. Once the
  // whole body is read the connection is where the next request starts, so it stays open
  // for it; only a body beyond the drain bounds leaves unread bytes on it, and then the
  // answer says `Connection: close` and Node closes the socket once it is out.
  const tooLarge = async (c: Context, maxSize: number) => {
    const drained = await drainRefusedBody(incomingOf(c));
    return problemResponse(
      c,
      {
        type: `${PROBLEM_TYPE_BASE}body-too-large`,
        title: 'Body too large',
        status: 413,
        detail: `request bodies are limited to ${maxSize} bytes`,
        instance: c.req.path,
      },
      drained ? {} : { connection: 'close' },
    );
  };
  const limitOf = (maxSize: number) => bodyLimit({ maxSize, onError: (c) => tooLarge(c, maxSize) });
  const defaultLimit = limitOf(MAX_BODY_BYTES);
  // One limit per request: the route's own when it takes files, else the default.
  const largeLimits = (options.largeBodyRoutes ?? []).map((route) => ({
    route,
    limit: limitOf(route.maxBytes),
  }));
  app.use(async (c, next) => {
    const large = largeLimits.find(
      ({ route }) => route.method === c.req.method && route.path.test(c.req.path),
    );
    // Without chunked transfer the headers decide: no length is no body (HTTP/1.1), else
    // the length is checked. Hono's bodyLimit would first make the Node adapter build a
    // whole web Request, which costs more than the rest of a forwarded GET.
    if (c.req.header('transfer-encoding') === undefined) {
      const length = c.req.header('content-length');
      const maxSize = large?.route.maxBytes ?? MAX_BODY_BYTES;
      if (length !== undefined && Number.parseInt(length, 10) > maxSize)
        return tooLarge(c, maxSize);
      await next();
      return;
    }
    return (large?.limit ?? defaultLimit)(c, next);
  });
  // One line per request at debug level; at any other level this costs nothing per request.
  if (logger.isLevelEnabled('debug'))
    app.use(async (c, next) => {
      const started = performance.now();
      await next();
      logger.debug(
        {
          method: c.req.method,
          path: c.req.path,
          status: c.res.status,
          ms: Math.round(performance.now() - started),
          request_id: c.var.requestId,
        },
        'request',
      );
    });
  app.onError((error, c) => errorToProblem(error, c, logger));
  app.notFound((c) => {
    unmatched.add(c);
    return problemResponse(c, {
      type: `${PROBLEM_TYPE_BASE}not-found`,
      title: 'Not found',
      status: 404,
      detail: `no route for ${c.req.method} ${c.req.path}`,
      instance: c.req.path,
    });
  });
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  if (options.metrics) app.get('/metrics', serveMetrics(options.metrics));
  const showDetails = readinessDetailsFor(options);
  app.get('/readyz', async (c) => {
    const results = await Promise.all(
      readiness.map(async ({ name, check }) => [name, await check()] as const),
    );
    const ready = results.every(([, ok]) => ok);
    const status = ready ? 'ready' : 'not-ready';
    if (!showDetails(c.req.header('authorization'))) return c.json({ status }, ready ? 200 : 503);
    const shown = ready && figures ? await figures().catch(() => ({})) : {};
    return c.json(
      { status, checks: Object.fromEntries(results), figures: shown },
      ready ? 200 : 503,
    );
  });
  return app;
}

/**
 * Who may read /readyz's checks and figures (which dependency is down, dead-letter counts):
 * with a METRICS_TOKEN set, whoever sends it, on any service; without one, anyone on an
 * internal service's port and nobody on the public door's.
 */
function readinessDetailsFor(
  options: ServiceShellOptions,
): (authorization: string | undefined) => boolean {
  const token = options.metrics?.scrapeToken;
  if (token !== undefined) return (authorization) => bearerMatches(authorization, token);
  const internal = !(options.publicDoor ?? false);
  return () => internal;
}

/** Whether the client's request reached us (or the trusted proxy in front) over TLS. */
function cameOverTls(c: Context, trustForwardedProto: boolean): boolean {
  if ((incomingOf(c)?.socket as { encrypted?: boolean } | undefined)?.encrypted === true) {
    return true;
  }
  return trustForwardedProto && c.req.header('x-forwarded-proto')?.trim().toLowerCase() === 'https';
}

/** The Node request under a Hono context (@hono/node-server), if there is one. */
function incomingOf(c: Context): IncomingMessage | undefined {
  return (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
}

/** How much of a refused body is read and thrown away, and for how long, before giving up. */
export const DRAIN_LIMIT_BYTES = 32 * 1024 * 1024;
const DRAIN_LIMIT_MS = 10_000;

/**
 * Reads what is left of a refused body and discards it, so the client finishes sending and
 * then reads the answer. Resolves true once the body has been read to its end; false when
 * it was not (beyond DRAIN_LIMIT_BYTES, slower than DRAIN_LIMIT_MS, or the request failed):
 * then the answer goes out and the socket is closed.
 */
function drainRefusedBody(incoming: IncomingMessage | undefined): Promise<boolean> {
  if (!incoming || incoming.destroyed) return Promise.resolve(false);
  if (incoming.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    let read = 0;
    const finish = (drained: boolean) => {
      clearTimeout(timer);
      incoming.off('data', onData);
      incoming.off('end', onEnd);
      incoming.off('error', onFailure);
      incoming.off('close', onClose);
      resolve(drained);
    };
    const onEnd = () => finish(true);
    const onFailure = () => finish(false);
    // 'close' comes after 'end' when the body was read to its end.
    const onClose = () => finish(incoming.readableEnded);
    const onData = (chunk: Buffer) => {
      read += chunk.length;
      if (read > DRAIN_LIMIT_BYTES) finish(false);
    };
    const timer = setTimeout(onFailure, DRAIN_LIMIT_MS);
    // A chunked body was being read through a web stream (Hono's bodyLimit), whose reader
    // pauses the request each time its queue is full; nobody reads that queue any more.
    incoming.removeAllListeners('data');
    incoming.on('data', onData);
    incoming.once('end', onEnd);
    incoming.once('error', onFailure);
    incoming.once('close', onClose);
    incoming.resume();
  });
}
