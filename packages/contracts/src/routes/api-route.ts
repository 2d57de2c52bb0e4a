import type { z } from 'zod';
import type { Permission } from '../permissions.js';

/** The services behind the gateway that own public routes. */
export type OwningService = 'expense' | 'approval' | 'notification';

/** What the OpenAPI document needs to know of one public route (the gateway's own ones too). */
export interface DocumentedRoute {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  /** OpenAPI path template, e.g. `/api/users/{id}`. */
  path: string;
  summary: string;
  tag: string;
  /** Absent for routes anyone may call (sign-in and sign-up). */
  permission?: Permission;
  body?: z.ZodType;
  /** The body may be left out entirely (a bare POST); when sent, `body` checks it. */
  bodyOptional?: true;
  /** A multipart/form-data body (file uploads), instead of JSON; the handler reads it. */
  multipart?: z.ZodType;
  /** The answer carries a secret shown once: never stored for an Idempotency-Key replay. */
  secretInAnswer?: true;
  query?: z.ZodObject;
  params?: z.ZodObject;
  success: {
    status: 200 | 201 | 202 | 204;
    schema?: z.ZodType;
    description: string;
    /** A file answer: its possible media types instead of a JSON schema. */
    fileTypes?: readonly string[];
  };
  refusals: number[];
}

/**
 * One public route a service owns, declared once: the gateway forwards and documents it
 * from this, and the owning service serves it from this (same path, permission and schemas).
 */
export interface ApiRoute extends DocumentedRoute {
  /** The public path template; the service's path drops `/api`. */
  path: `/api/${string}`;
  service: OwningService;
  /** Checked at the gateway before anything is forwarded, and again by the service. */
  permission: Permission;
  /** A file goes through: streamed up (with its own body limit) or streamed back. */
  transfer?: { kind: 'upload'; maxBytes: number } | { kind: 'download' };
}

/** Keeps each route's own schema types, so a service's handler gets typed input. */
export function defineRoutes<Routes extends Record<string, ApiRoute>>(routes: Routes): Routes {
  return routes;
}

/** The owning service's path template: the public one without `/api` (internal paths follow it). */
export function servicePathOf(route: Pick<ApiRoute, 'path'>): string {
  return route.path.slice('/api'.length);
}

/** A path template with its `{params}` filled in, each value URL-encoded. */
export function fillPath(template: string, params: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) =>
    encodeURIComponent(params[name] ?? ''),
  );
}
