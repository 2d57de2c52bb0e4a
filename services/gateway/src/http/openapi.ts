import { type Permission, ProblemDetails } from '@countersign/contracts';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { z } from 'zod';

/** What the OpenAPI document needs to know of one public route. */
export interface DocumentedRoute {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  /** OpenAPI path template, e.g. `/api/users/{id}`. */
  path: string;
  summary: string;
  tag: string;
  /** Absent for routes anyone may call (sign-in and sign-up). */
  permission?: Permission;
  body?: z.ZodType;
  query?: z.ZodObject;
  params?: z.ZodObject;
  success: { status: 200 | 201 | 202 | 204; schema?: z.ZodType; description: string };
  refusals: number[];
}

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
  415: 'The body is not JSON',
  422: 'Understood but refused by policy',
  429: 'Too many requests; see Retry-After',
};

/** Registers every public route in the OpenAPI document, all from the contract schemas. */
export function registerOpenApi<E extends object>(
  app: OpenAPIHono<E & { Variables: object }>,
  routes: DocumentedRoute[],
) {
  const registry = app.openAPIRegistry;
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  for (const route of routes) {
    registry.registerPath({
      method: route.method,
      path: route.path,
      tags: [route.tag],
      summary: route.permission ? `${route.summary} [${route.permission}]` : route.summary,
      ...(route.permission ? { security: [{ bearer: [] }] } : {}),
      request: {
        ...(route.body
          ? { body: { content: { 'application/json': { schema: route.body } }, required: true } }
          : {}),
        ...(route.query ? { query: route.query } : {}),
        ...(route.params ? { params: route.params } : {}),
      },
      responses: {
        [route.success.status]: {
          description: route.success.description,
          ...(route.success.schema && route.success.status !== 204
            ? { content: { 'application/json': { schema: route.success.schema } } }
            : {}),
        },
        // Every /api route is rate-limited, so every one may answer 429.
        ...Object.fromEntries(
          [...new Set([...route.refusals, 429])].map((status) => [
            status,
            problem(refusalText[status] ?? 'Refused'),
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
