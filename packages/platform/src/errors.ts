/**
 * Domain and application errors. Use cases throw these; the HTTP door maps them to
 * problem+json once, and the messaging door terms a message whose handler throws one
 * with a 4xx status (it can never succeed) and retries anything else.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    detail: string,
    readonly fieldErrors?: { path: string; message: string }[],
    /** RFC 9457 extension members: more about this problem, as top-level members. */
    readonly extensions?: Readonly<Record<string, string | number | boolean>>,
  ) {
    super(detail);
  }
}

export class NotFoundError extends AppError {
  constructor(detail: string) {
    super(404, 'not-found', 'Not found', detail);
  }
}

export class ForbiddenError extends AppError {
  constructor(detail: string) {
    super(403, 'forbidden', 'Forbidden', detail);
  }
}

export class ConflictError extends AppError {
  constructor(detail: string, code = 'conflict') {
    super(409, code, 'Conflict', detail);
  }
}

export class UnprocessableError extends AppError {
  constructor(detail: string, code = 'unprocessable') {
    super(422, code, 'Unprocessable request', detail);
  }
}

export class UnauthorizedError extends AppError {
  constructor(detail: string) {
    super(401, 'unauthorized', 'Unauthorized', detail);
  }
}

export class ValidationError extends AppError {
  constructor(fieldErrors: { path: string; message: string }[]) {
    super(
      400,
      'validation',
      'Invalid request',
      fieldErrors.map((e) => `${e.path || 'body'}: ${e.message}`).join('; '),
      fieldErrors,
    );
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(received: string) {
    const got = received ? ` (got "${received}")` : '';
    super(
      415,
      'unsupported-media-type',
      'Unsupported media type',
      `send the body as JSON with "Content-Type: application/json"${got}`,
    );
  }
}

/** Too many requests: the client should wait `retryAfterSeconds` (sent as Retry-After). */
export class TooManyRequestsError extends AppError {
  constructor(
    detail: string,
    readonly retryAfterSeconds: number,
  ) {
    super(429, 'too-many-requests', 'Too many requests', detail);
  }
}

/** A dependency (another service, the database) failed in a way worth retrying. */
export class UpstreamError extends AppError {
  constructor(detail: string) {
    super(503, 'upstream-unavailable', 'Service unavailable', detail);
  }
}
