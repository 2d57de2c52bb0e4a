import { type DocumentedRoute, ProblemDetails } from '@countersign/contracts';
import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { IDEMPOTENCY_KEY_MAX_LENGTH } from '../domain/idempotency.js';
import { IDEMPOTENCY_KEY_HEADER, REPLAYED_HEADER } from './idempotency.js';

export type { DocumentedRoute };

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: ProblemDetails } },
});

const refusalText: Record<number, string> = {
  400: 'The request is malformed; `errors` lists each field',
  401: 'No valid access token',
  403: 'Not allowed for the caller',
  404: 'Not found in the caller’s company',
  409: 'Conflicts with the current state',
  413: 'Body too large',
  415: 'The body is not JSON (or, for a file, not an accepted kind)',
  422: 'Understood but refused by policy',
  429: 'Too many requests; see Retry-After',
};

const idempotencyKeyHeader = z.object({
  [IDEMPOTENCY_KEY_HEADER]: z
    .string()
    .min(1)
    .max(IDEMPOTENCY_KEY_MAX_LENGTH + 2)
    .optional()
    .openapi({
      description: `Optional. A key of your choice (1-${IDEMPOTENCY_KEY_MAX_LENGTH} printable ASCII characters, e.g. a UUID), as a Structured Field String ("…") or bare. A retry of the same request with the same key within 24 h gets the first answer again (with ${REPLAYED_HEADER}: true) instead of creating a second one; the same key with a different request gets 422, and a retry while the first is still running gets 409. Keys are per user.`,
      example: '"8e03978e-40d5-43e8-bc93-6894a57f9324"',
    }),
});

const idempotencyRefusals: Record<number, string> = {
  409: 'Conflicts with the current state, or a request with this Idempotency-Key is still running (see Retry-After)',
  422: 'Refused by policy, or this Idempotency-Key was used for a different request',
};

/** Registers every public route in the OpenAPI document, all from the contract schemas. */
export function registerOpenApi<E extends object>(
  app: OpenAPIHono<E & { Variables: object }>,
  routes: DocumentedRoute[],
  /** Whether the route is served behind the Idempotency-Key middleware. */
  takesIdempotencyKey: (route: DocumentedRoute) => boolean,
) {
  const registry = app.openAPIRegistry;
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  for (const route of routes) {
    const keyed = takesIdempotencyKey(route);
    const refusals = keyed ? [...route.refusals, 400, 409, 422] : route.refusals;
    registry.registerPath({
      method: route.method,
      path: route.path,
      tags: [route.tag],
      summary: route.permission ? `${route.summary} [${route.permission}]` : route.summary,
      ...(route.permission ? { security: [{ bearer: [] }] } : {}),
      request: {
        ...(route.body
          ? {
              body: {
                content: { 'application/json': { schema: route.body } },
                required: route.bodyOptional !== true,
              },
            }
          : {}),
        ...(route.multipart
          ? {
              body: {
                content: { 'multipart/form-data': { schema: route.multipart } },
                required: true,
              },
            }
          : {}),
        ...(route.query ? { query: route.query } : {}),
        ...(route.params ? { params: route.params } : {}),
        ...(keyed ? { headers: idempotencyKeyHeader } : {}),
      },
      responses: {
        [route.success.status]: {
          description: route.success.description,
          ...(route.success.schema && route.success.status !== 204
            ? { content: { 'application/json': { schema: route.success.schema } } }
            : {}),
          ...(route.success.fileTypes
            ? {
                content: Object.fromEntries(
                  route.success.fileTypes.map((type) => [
                    type,
                    { schema: { type: 'string', format: 'binary' } },
                  ]),
                ),
              }
            : {}),
          ...(keyed
            ? {
                headers: {
                  [REPLAYED_HEADER]: {
                    description:
                      'Present ("true") when this is the stored answer to an earlier request with the same Idempotency-Key',
                    schema: { type: 'string', enum: ['true'] },
                  },
                },
              }
            : {}),
        },
        // Every /api route is rate-limited, so every one may answer 429.
        ...Object.fromEntries(
          [...new Set([...refusals, 429])].map((status) => [
            status,
            problem(
              (keyed ? idempotencyRefusals[status] : undefined) ?? refusalText[status] ?? 'Refused',
            ),
          ]),
        ),
      },
    });
  }
}

export const openApiInfo = {
  openapi: '3.1.0',
  info: {
    title: 'Countersign API',
    version: '0.2.0',
    description:
      'B2B spend approval: submit expenses, route them by policy through the org hierarchy, approve step by step. Errors are RFC 9457 problem+json. Each protected route names the permission it needs in [brackets]; docs/ARCHITECTURE.md has the role table.',
  },
  servers: [{ url: 'http://127.0.0.1:4000' }],
};
