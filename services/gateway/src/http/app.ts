import {
  type AuditCheckpointDeps,
  type AuditTables,
  callService,
  callServiceStreaming,
  hasNoBody,
  installServiceShell,
  type LargeBodyRoute,
  type Logger,
  parseOrThrow,
  type ReadinessCheck,
  requireAuth,
  requirePermission,
  type ServiceCallOptions,
  type ServiceEnv,
  type ServiceFigures,
  type ServiceMetrics,
  type ServiceResponse,
  type TokenVerifier,
  UnsupportedMediaTypeError,
} from '@countersign/platform';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Kysely } from 'kysely';
import type { KeyRing } from '../domain/key-ring.js';
import { getMyProfile } from '../use-cases/get-my-profile.js';
import { type ForwardedRoute, forwardedRoutes, type Upstream } from './api-routes.js';
import { auditRouteDocs, mountAuditRoutes } from './audit-routes.js';
import { type AuthRouteDeps, authRouteDocs, mountAuthRoutes } from './auth-routes.js';
import { mountDocs } from './docs.js';
import {
  acceptsIdempotencyKey,
  type IdempotencySettings,
  idempotentRequests,
} from './idempotency.js';
import { type InvitationQuota, limitInvitations } from './invitation-quota.js';
import { type DocumentedRoute, openApiInfo, registerOpenApi } from './openapi.js';
import { type ApiRateLimits, limitApiRate } from './rate-limit.js';
import { mountStreamRoutes, type StreamRouteDeps } from './stream-routes.js';

export interface GatewayDeps {
  logger: Logger;
  auth: AuthRouteDeps;
  keys: KeyRing;
  verifyToken: TokenVerifier;
  upstreams: Record<Upstream, string>;
  readiness: ReadinessCheck[];
  figures?: ServiceFigures;
  /** Request timing and `GET /metrics`. */
  metrics?: ServiceMetrics;
  /** Per address and per subject, on /api/* only (health, JWKS and docs stay open). */
  rateLimits: ApiRateLimits;
  /** `Idempotency-Key` on the creating POSTs (see acceptsIdempotencyKey). */
  idempotency: IdempotencySettings;
  /** `GET /api/stream`: the caller's real-time feed, read from NATS. */
  stream: Omit<StreamRouteDeps, 'verifyToken' | 'logger'>;
  /** The identity trail's signed audit checkpoints (GET /api/audit-logs/verify). */
  auditCheckpoints: AuditCheckpointDeps;
  /** The daily invitation quota per company (adding people, changing addresses). */
  invitations: InvitationQuota;
}

/**
 * The only public door. It rate-limits, authenticates, checks each path and query against
 * the contract, and forwards to the owning service with the caller's token and the body as
 * it came; that service verifies the token again and validates the body. Between requests
 * it holds only its in-memory rate-limit counts.
 */
export function createGatewayApp(deps: GatewayDeps) {
  const app = installServiceShell(
    new OpenAPIHono<ServiceEnv>(),
    deps.logger,
    deps.readiness,
    deps.figures,
    {
      largeBodyRoutes: forwardedRoutes.flatMap(largeBodyRoute),
      metrics: deps.metrics,
      // Behind TRUST_PROXY proxies, the outermost one says whether the client used TLS.
      trustForwardedProto: deps.rateLimits.trustedProxies > 0,
      publicDoor: true,
    },
  );
  app.use('/api/*', limitApiRate(deps.rateLimits));

  mountAuthRoutes(app, deps.auth);
  app.get('/.well-known/jwks.json', (c) =>
    c.json({ keys: deps.keys.publicKeys }, 200, { 'cache-control': 'public, max-age=60' }),
  );
  const keyedRoutes = new Set<DocumentedRoute>(forwardedRoutes.filter(acceptsIdempotencyKey));
  registerOpenApi(app, [...authRouteDocs, ...auditRouteDocs, ...forwardedRoutes], (route) =>
    keyedRoutes.has(route),
  );
  app.doc31('/openapi.json', openApiInfo);
  mountDocs(app);

  mountStreamRoutes(app, { ...deps.stream, verifyToken: deps.verifyToken, logger: deps.logger });
  const auth = requireAuth(deps.verifyToken);
  mountAuditRoutes(app, {
    db: deps.auth.db as unknown as Kysely<AuditTables>,
    upstreams: deps.upstreams,
    verifyToken: deps.verifyToken,
    checkpoints: deps.auditCheckpoints,
  });
  const idempotent = idempotentRequests(deps.idempotency);
  const invitationQuota = limitInvitations(deps.invitations);
  const passThrough: MiddlewareHandler = (_c, next) => next();
  // Before the forwarded `/api/users/{id}`, which would take "me" for an id.
  app.get('/api/users/me', auth, requirePermission('profile.self'), async (c) => {
    const answer = await getMyProfile(deps.upstreams, {
      token: c.var.token,
      requestId: c.var.requestId,
    });
    return 'profile' in answer ? c.json(answer.profile) : relay(c, answer.refusal);
  });
  for (const route of forwardedRoutes) {
    const honoPath = route.path.replace(/\{(\w+)\}/g, ':$1');
    app.on(
      route.method.toUpperCase(),
      honoPath,
      auth,
      requirePermission(route.permission),
      sendsInvitations(route) ? invitationQuota : passThrough,
      // After the permission check: a refused caller never claims a key.
      keyedRoutes.has(route) ? idempotent : passThrough,
      (c) => forward(c, route, deps.upstreams[route.upstream]),
    );
  }
  return app;
}

/** Routes that e-mail an address an admin typed: adding a person, changing an address. */
function sendsInvitations(route: ForwardedRoute): boolean {
  return route.path === '/api/users'
    ? route.method === 'post'
    : route.path === '/api/users/{id}' && route.method === 'patch';
}

/** An upload route's own body limit, its `{params}` matching one path segment each. */
function largeBodyRoute(route: ForwardedRoute): LargeBodyRoute[] {
  if (route.transfer?.kind !== 'upload') return [];
  const pattern = route.path
    .split(/\{\w+\}/)
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return [
    {
      method: route.method.toUpperCase(),
      path: new RegExp(`^${pattern}$`),
      maxBytes: route.transfer.maxBytes,
    },
  ];
}

async function forward(
  c: Context<ServiceEnv>,
  route: ForwardedRoute,
  baseUrl: string,
): Promise<Response> {
  const params = route.params ? parseOrThrow(route.params, c.req.param()) : {};
  if (route.query) parseOrThrow(route.query, c.req.query());
  if (route.transfer) {
    return forwardFile(
      c,
      route.transfer.kind,
      { name: route.upstream, baseUrl },
      route.upstreamPath(params as Record<string, string>),
    );
  }
  const upstream = await callService(baseUrl, {
    method: route.method.toUpperCase() as ServiceCallOptions['method'],
    service: route.upstream,
    path: `${route.upstreamPath(params as Record<string, string>)}${searchOf(c.req.url)}`,
    token: c.var.token,
    requestId: c.var.requestId,
    ...(await rawBodyOf(c, route)),
  });
  return relay(c, upstream);
}

/**
 * What the client sent, as it came (within the shell's body limit): the owning service
 * parses it with the same contract and answers 400 itself, so the gateway does not parse
 * and re-serialise every body. Only the media type is checked here (415), as it costs
 * nothing. A route that takes no body forwards none.
 */
async function rawBodyOf(
  c: Context<ServiceEnv>,
  route: ForwardedRoute,
): Promise<Pick<ServiceCallOptions, 'rawBody'>> {
  if (!route.body || (route.bodyOptional && hasNoBody(c))) return {};
  const contentType = c.req.header('content-type') ?? '';
  if (!JSON_MEDIA_TYPE.test(contentType)) throw new UnsupportedMediaTypeError(contentType);
  return { rawBody: { text: await c.req.text(), contentType } };
}

const JSON_MEDIA_TYPE = /^application\/([\w.+-]+\+)?json\b/i;

/** The query string with its `?`, or nothing; without building a URL object. */
function searchOf(url: string): string {
  const start = url.indexOf('?');
  return start === -1 ? '' : url.slice(start);
}

/**
 * Streams a file through: the upload's body goes up as it arrives (the service checks
 * it), and a download's bytes come back with the service's content type and disposition.
 * Problems are relayed as any other answer.
 */
async function forwardFile(
  c: Context<ServiceEnv>,
  kind: 'upload' | 'download',
  service: { name: Upstream; baseUrl: string },
  path: string,
): Promise<Response> {
  const contentType = c.req.header('content-type');
  const contentLength = c.req.header('content-length');
  const upstream = await callServiceStreaming(service.baseUrl, {
    method: kind === 'upload' ? 'POST' : 'GET',
    service: service.name,
    path,
    token: c.var.token,
    requestId: c.var.requestId,
    ...(kind === 'upload'
      ? {
          body: c.req.raw.body,
          ...(contentType ? { contentType } : {}),
          ...(contentLength ? { contentLength } : {}),
        }
      : {}),
  });
  const answerType = upstream.headers['content-type'] ?? 'application/octet-stream';
  if (kind === 'upload' || upstream.status !== 200) {
    return relay(c, {
      status: upstream.status,
      contentType: answerType,
      body: await new Response(upstream.body).text(),
    });
  }
  const headers: Record<string, string> = { 'content-type': answerType };
  for (const name of [
    'content-disposition',
    'content-length',
    'x-content-type-options',
    'cache-control',
  ]) {
    const value = upstream.headers[name];
    if (value) headers[name] = value;
  }
  return new Response(upstream.body, { status: 200, headers });
}

/** Passes a service's answer on to the client as it is, naming the public path in problems. */
function relay(c: Context<ServiceEnv>, upstream: ServiceResponse): Response {
  // A 204 has no body, and a Response carrying one (even an empty string) cannot be built.
  if (upstream.status === 204) return c.body(null, 204);
  const answer = upstream.contentType.startsWith('application/problem+json')
    ? withPublicInstance(upstream.body, c.req.path)
    : upstream.body;
  return c.body(answer, upstream.status as ContentfulStatusCode, {
    'content-type': upstream.contentType,
    // A service's quota (webhook redeliveries) says when to come back; keep that.
    ...(upstream.retryAfter === undefined ? {} : { 'retry-after': upstream.retryAfter }),
  });
}

/** A service names its own path as the problem's instance; clients know the public one. */
function withPublicInstance(problemJson: string, publicPath: string): string {
  try {
    const problem: unknown = JSON.parse(problemJson);
    if (typeof problem !== 'object' || problem === null) return problemJson;
    return JSON.stringify({ ...problem, instance: publicPath });
  } catch {
    return problemJson;
  }
}
