import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, TooManyRequestsError } from '../errors.js';
import type { Logger } from '../logger.js';

export const PROBLEM_TYPE_BASE = 'https://countersign.dev/problems/';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: { path: string; message: string }[];
  /** Extension members (RFC 9457 section 3.2), such as `expense_id`. */
  [extension: string]: unknown;
}

export function problemResponse(
  c: Context,
  problem: Problem,
  extraHeaders: Record<string, string> = {},
): Response {
  return c.body(JSON.stringify(problem), problem.status as ContentfulStatusCode, {
    ...extraHeaders,
    'content-type': 'application/problem+json',
  });
}

/**
 * The one place errors become HTTP: known errors say what is wrong; anything else is
 * logged with its stack and answered with a bare 500 that leaks nothing.
 */
export function errorToProblem(error: unknown, c: Context, logger: Logger): Response {
  if (error instanceof AppError) {
    return problemResponse(
      c,
      {
        // Extensions first, so they can never replace a standard member.
        ...error.extensions,
        type: `${PROBLEM_TYPE_BASE}${error.code}`,
        title: error.title,
        status: error.status,
        detail: error.message,
        instance: c.req.path,
        ...(error.fieldErrors ? { errors: error.fieldErrors } : {}),
      },
      error instanceof TooManyRequestsError
        ? { 'retry-after': String(error.retryAfterSeconds) }
        : {},
    );
  }
  if (error instanceof HTTPException) {
    return problemResponse(c, {
      type: `${PROBLEM_TYPE_BASE}http-${error.status}`,
      title: error.message || 'Request error',
      status: error.status,
      detail: error.message,
      instance: c.req.path,
    });
  }
  logger.error({ err: error, path: c.req.path }, 'unhandled error');
  return problemResponse(c, {
    type: `${PROBLEM_TYPE_BASE}internal`,
    title: 'Internal error',
    status: 500,
    detail: 'The request could not be completed; it has been logged.',
    instance: c.req.path,
  });
}
