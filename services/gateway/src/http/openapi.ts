import { LoginRequest, LoginResponse, ProblemDetails } from '@countersign/contracts';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ForwardedRoute } from './api-routes.js';

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
  422: 'Understood but refused by policy',
};

/** Registers every public route in the OpenAPI document, all from the contract schemas. */
export function registerOpenApi<E extends object>(
  app: OpenAPIHono<E & { Variables: object }>,
  routes: ForwardedRoute[],
) {
  const registry = app.openAPIRegistry;
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  registry.registerPath({
    method: 'post',
    path: '/api/auth/login',
    tags: ['Auth'],
    summary: 'Exchange email and password for an access token',
    request: {
      body: { content: { 'application/json': { schema: LoginRequest } }, required: true },
    },
    responses: {
      200: { description: 'Logged in', content: { 'application/json': { schema: LoginResponse } } },
      400: problem(refusalText[400] ?? ''),
      401: problem('The email or password is wrong'),
    },
  });
  for (const route of routes) {
    registry.registerPath({
      method: route.method,
      path: route.path,
      tags: [route.tag],
      summary: route.summary,
      security: [{ bearer: [] }],
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
          ...(route.success.status === 204
            ? {}
            : { content: { 'application/json': { schema: route.success.schema } } }),
        },
        ...Object.fromEntries(
          route.refusals.map((status) => [status, problem(refusalText[status] ?? 'Refused')]),
        ),
      },
    });
  }
}

export const openApiInfo = {
  openapi: '3.1.0',
  info: {
    title: 'Countersign API',
    version: '0.1.0',
    description:
      'B2B spend approval: submit expenses, route them by policy through the org hierarchy, approve step by step. Errors are RFC 9457 problem+json.',
  },
  servers: [{ url: 'http://127.0.0.1:4000' }],
};
