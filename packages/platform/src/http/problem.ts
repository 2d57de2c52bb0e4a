import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { dependencyFailureOf, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../dependency-failure.js';
import { DomainError, TooManyRequestsError } from '../errors.js';
import type { Logger } from '../logger.js';
import { errorCodeOfStatus, HTTP_ANSWER_BY_CODE } from './error-status.js';

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

/** A domain error as problem+json: its code gives the status, its type the problem type. */
export function problemOf(error: DomainError, instance?: string): Problem {
  const answer = HTTP_ANSWER_BY_CODE[error.code];
  return {
    // Extensions first, so they can never replace a standard member.
    ...error.extensions,
    type: `${PROBLEM_TYPE_BASE}${error.type}`,
    title: error.title ?? answer.title,
    status: answer.status,
    detail: error.message,
    ...(instance === undefined ? {} : { instance }),
    ...(error.fieldErrors ? { errors: error.fieldErrors } : {}),
  };
}

/**
 * Another service's problem+json refusal as a domain error, to pass on as it came: the
 * same status, type, title and detail.
 */
export function errorFromProblem(
  status: number,
  problem: { type: string; title: string; detail?: string },
): DomainError {
  return new DomainError(
    errorCodeOfStatus(status),
    problem.type.split('/').pop() || 'refused',
    problem.detail ?? problem.title,
    { title: problem.title },
  );
}

/**
 * The one place errors become HTTP: known errors say what is wrong; the database or the bus
 * not answering is a 503 that says when to come back; anything else is logged with its
 * stack and answered with a bare 500 that leaks nothing.
 */
export function errorToProblem(error: unknown, c: Context, logger: Logger): Response {
  const known = error instanceof DomainError ? error : dependencyFailureOf(error);
  if (known) {
    // A dependency that failed: the client is told which, by name; the operator why.
    if (known.code === 'unavailable' && known.cause !== undefined)
      logger.warn({ err: known.cause, path: c.req.path }, known.message);
    return problemResponse(c, problemOf(known, c.req.path), retryAfterOf(known));
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

/**
 * When the client may try again: a rate limit's own wait, or for a dependency that is down
 * (every 503), a few seconds, so clients back off instead of retrying at once.
 */
function retryAfterOf(error: DomainError): Record<string, string> {
  if (error instanceof TooManyRequestsError)
    return { 'retry-after': String(error.retryAfterSeconds) };
  if (error.code === 'unavailable')
    return { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS) };
  return {};
}
