import type { ErrorCode } from '../errors.js';

/** How each kind of domain error answers over HTTP: the one table of statuses. */
export const HTTP_ANSWER_BY_CODE: Readonly<Record<ErrorCode, { status: number; title: string }>> = {
  invalid: { status: 400, title: 'Invalid request' },
  unauthenticated: { status: 401, title: 'Unauthorized' },
  forbidden: { status: 403, title: 'Forbidden' },
  'not-found': { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict' },
  'too-large': { status: 413, title: 'Body too large' },
  'unsupported-media-type': { status: 415, title: 'Unsupported media type' },
  unprocessable: { status: 422, title: 'Unprocessable request' },
  'too-many-requests': { status: 429, title: 'Too many requests' },
  unavailable: { status: 503, title: 'Service unavailable' },
};

export function httpStatusOf(code: ErrorCode): number {
  return HTTP_ANSWER_BY_CODE[code].status;
}

/**
 * The code of another service's refusal, read back from its status, so a refusal passed
 * on answers with the status it came with. A 4xx outside the table counts as invalid.
 */
export function errorCodeOfStatus(status: number): ErrorCode {
  const codes = Object.keys(HTTP_ANSWER_BY_CODE) as ErrorCode[];
  return (
    codes.find((code) => HTTP_ANSWER_BY_CODE[code].status === status) ??
    (status >= 500 ? 'unavailable' : 'invalid')
  );
}
