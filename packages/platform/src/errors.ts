/**
 * Domain and application errors: plain errors with a code, no transport in them. Use cases
 * and domain rules throw these; each door maps the code once: the HTTP door to a status and
 * problem+json (http/error-status.ts), the messaging door to retry or give up
 * (messaging/failure-policy.ts).
 */

/**
 * What kind of failure this is, a closed set. The code says how the failure behaves (is the
 * request at fault, may a retry succeed); `type` says precisely what went wrong.
 */
export type ErrorCode =
  /** The request itself is malformed: bad fields, a bad header. */
  | 'invalid'
  /** The caller is not who they claim, or did not say. */
  | 'unauthenticated'
  /** The caller is known but may not do this. */
  | 'forbidden'
  /** The thing asked about does not exist (or is not the caller's to see). */
  | 'not-found'
  /** The request clashes with the current state: already decided, a duplicate name. */
  | 'conflict'
  /** The request is too large. */
  | 'too-large'
  /** The content is of a kind we do not take. */
  | 'unsupported-media-type'
  /** Well-formed, but a business rule refuses it. */
  | 'unprocessable'
  /** The caller asks too often; it may try again later. */
  | 'too-many-requests'
  /** A dependency failed in a way worth retrying. */
  | 'unavailable';

export type FieldError = { path: string; message: string };

export interface DomainErrorDetails {
  /** A short summary of the problem type when the code's own one says too little. */
  title?: string;
  fieldErrors?: FieldError[];
  /** More about this problem, as name/value pairs (RFC 9457 extension members over HTTP). */
  extensions?: Readonly<Record<string, string | number | boolean>>;
}

export class DomainError extends Error {
  readonly title: string | undefined;
  readonly fieldErrors: FieldError[] | undefined;
  readonly extensions: Readonly<Record<string, string | number | boolean>> | undefined;

  constructor(
    readonly code: ErrorCode,
    /** What precisely went wrong, a slug (the problem type over HTTP): `already-decided`. */
    readonly type: string,
    detail: string,
    details: DomainErrorDetails = {},
  ) {
    super(detail);
    this.name = new.target.name;
    this.title = details.title;
    this.fieldErrors = details.fieldErrors;
    this.extensions = details.extensions;
  }
}

export class NotFoundError extends DomainError {
  constructor(detail: string) {
    super('not-found', 'not-found', detail);
  }
}

export class ForbiddenError extends DomainError {
  constructor(detail: string) {
    super('forbidden', 'forbidden', detail);
  }
}

export class ConflictError extends DomainError {
  constructor(detail: string, type = 'conflict') {
    super('conflict', type, detail);
  }
}

export class UnprocessableError extends DomainError {
  constructor(detail: string, type = 'unprocessable', details?: DomainErrorDetails) {
    super('unprocessable', type, detail, details);
  }
}

export class UnauthorizedError extends DomainError {
  constructor(detail: string) {
    super('unauthenticated', 'unauthorized', detail);
  }
}

export class ValidationError extends DomainError {
  constructor(fieldErrors: FieldError[]) {
    super(
      'invalid',
      'validation',
      fieldErrors.map((e) => `${e.path || 'body'}: ${e.message}`).join('; '),
      { fieldErrors },
    );
  }
}

export class UnsupportedMediaTypeError extends DomainError {
  constructor(received: string) {
    const got = received ? ` (got "${received}")` : '';
    super(
      'unsupported-media-type',
      'unsupported-media-type',
      `send the body as JSON with "Content-Type: application/json"${got}`,
    );
  }
}

/** Too many requests: the client should wait `retryAfterSeconds` (sent as Retry-After). */
export class TooManyRequestsError extends DomainError {
  constructor(
    detail: string,
    readonly retryAfterSeconds: number,
  ) {
    super('too-many-requests', 'too-many-requests', detail);
  }
}

/** A dependency (another service, the database) failed in a way worth retrying. */
export class UpstreamError extends DomainError {
  constructor(detail: string) {
    super('unavailable', 'upstream-unavailable', detail);
  }
}
