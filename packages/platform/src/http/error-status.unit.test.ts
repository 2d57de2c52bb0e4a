import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import {
  ConflictError,
  DomainError,
  type ErrorCode,
  ForbiddenError,
  NotFoundError,
  TooManyRequestsError,
  UnauthorizedError,
  UnprocessableError,
  UnsupportedMediaTypeError,
  UpstreamError,
  ValidationError,
} from '../errors.js';
import { createLogger } from '../logger.js';
import { errorCodeOfStatus, HTTP_ANSWER_BY_CODE } from './error-status.js';
import { errorFromProblem, errorToProblem, problemOf } from './problem.js';

const base = 'https://countersign.dev/problems/';

/** The answer an app with the platform's error handler gives when a route throws `error`. */
async function answerTo(error: unknown): Promise<Response> {
  const app = new Hono();
  app.get('/things/1', () => {
    throw error;
  });
  app.onError((thrown, c) => errorToProblem(thrown, c, createLogger('test', 'silent')));
  return app.request('/things/1');
}

describe('the HTTP answer to a domain error', () => {
  it.each([
    [
      new ValidationError([{ path: 'amount', message: 'too small' }]),
      400,
      'validation',
      'Invalid request',
    ],
    [new UnauthorizedError('no token'), 401, 'unauthorized', 'Unauthorized'],
    [new ForbiddenError('not yours'), 403, 'forbidden', 'Forbidden'],
    [new NotFoundError('no expense e-1'), 404, 'not-found', 'Not found'],
    [new ConflictError('decided', 'already-decided'), 409, 'already-decided', 'Conflict'],
    [
      new DomainError('too-large', 'body-too-large', 'too big'),
      413,
      'body-too-large',
      'Body too large',
    ],
    [
      new UnsupportedMediaTypeError('text/plain'),
      415,
      'unsupported-media-type',
      'Unsupported media type',
    ],
    [
      new UnprocessableError('no approver', 'no-eligible-approver'),
      422,
      'no-eligible-approver',
      'Unprocessable request',
    ],
    [new TooManyRequestsError('slow down', 7), 429, 'too-many-requests', 'Too many requests'],
    [new UpstreamError('down'), 503, 'upstream-unavailable', 'Service unavailable'],
  ])('%s answers %i, type %s, title %s', async (error, status, type, title) => {
    const response = await answerTo(error);
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(await response.json()).toMatchObject({
      type: `${base}${type}`,
      title,
      status,
      detail: error.message,
      instance: '/things/1',
    });
  });

  it('keeps a title of its own, field errors and extension members', async () => {
    const error = new UnprocessableError('blocked by policy "Cap": over', 'blocked-by-policy', {
      title: 'Blocked',
      fieldErrors: [{ path: 'amount', message: 'over the cap' }],
      extensions: { expense_id: 'e-1', reason: 'over', status: 200 },
    });
    expect(await (await answerTo(error)).json()).toEqual({
      expense_id: 'e-1',
      reason: 'over',
      type: `${base}blocked-by-policy`,
      title: 'Blocked',
      // An extension never replaces a standard member.
      status: 422,
      detail: 'blocked by policy "Cap": over',
      instance: '/things/1',
      errors: [{ path: 'amount', message: 'over the cap' }],
    });
  });

  it('tells a rate-limited client when to come back', async () => {
    const response = await answerTo(new TooManyRequestsError('slow down', 7));
    expect(response.headers.get('retry-after')).toBe('7');
  });

  it('answers anything else with a 500 that leaks nothing', async () => {
    const response = await answerTo(new Error('password=hunter2'));
    expect(response.status).toBe(500);
    expect(await response.text()).not.toContain('hunter2');
  });

  it('gives every code its own status', () => {
    const statuses = Object.values(HTTP_ANSWER_BY_CODE).map((answer) => answer.status);
    expect(new Set(statuses).size).toBe(statuses.length);
  });
});

describe('a refusal passed on from another service', () => {
  it.each(Object.keys(HTTP_ANSWER_BY_CODE) as ErrorCode[])(
    'keeps the status of a %s answer',
    (code) => {
      const { status } = HTTP_ANSWER_BY_CODE[code];
      expect(errorCodeOfStatus(status)).toBe(code);
    },
  );

  it('counts a 4xx outside the table as invalid and a 5xx as unavailable', () => {
    expect(errorCodeOfStatus(405)).toBe('invalid');
    expect(errorCodeOfStatus(502)).toBe('unavailable');
  });

  it('answers as the other service did: status, type, title and detail', () => {
    const passedOn = errorFromProblem(422, {
      type: `${base}no-eligible-approver`,
      title: 'Unprocessable request',
      detail: 'step 1 needs a manager',
    });
    expect(problemOf(passedOn)).toEqual({
      type: `${base}no-eligible-approver`,
      title: 'Unprocessable request',
      status: 422,
      detail: 'step 1 needs a manager',
    });
  });
});
