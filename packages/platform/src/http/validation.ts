import type { Context } from 'hono';
import type { z } from 'zod';
import { UnsupportedMediaTypeError, ValidationError } from '../errors.js';

export function zodIssuesToFieldErrors(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/**
 * Reads and validates a JSON body: another content type is a 415, malformed JSON and
 * schema violations are 400s.
 */
export async function readJsonBody<S extends z.ZodType>(
  c: Context,
  schema: S,
): Promise<z.infer<S>> {
  const contentType = c.req.header('content-type') ?? '';
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) {
    throw new UnsupportedMediaTypeError(contentType);
  }
  let body: unknown;
  let lonePath: string | null = null;
  try {
    body = JSON.parse(await c.req.text(), (key, value: unknown) => {
      if (typeof value === 'string' && LONE_SURROGATE.test(value)) lonePath ??= key;
      return value;
    });
  } catch {
    throw new ValidationError([{ path: '', message: 'body must be valid JSON' }]);
  }
  // JSON may escape half a UTF-16 pair ("\ud800"); PostgreSQL refuses such text in jsonb,
  // so it is refused here, with a 400, rather than as a failed write.
  if (lonePath !== null) {
    throw new ValidationError([
      { path: lonePath, message: 'must be valid Unicode text (it holds a lone surrogate)' },
    ]);
  }
  return parseOrThrow(schema, body);
}

/** Half of a UTF-16 surrogate pair with no other half (matched on code units: no `u` flag). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** No body at all: no length (or a zero one) and no chunked transfer. A bare POST. */
export function hasNoBody(c: Context): boolean {
  const length = c.req.header('content-length');
  return (
    (length === undefined || length === '0') && c.req.header('transfer-encoding') === undefined
  );
}

export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationError(zodIssuesToFieldErrors(parsed.error));
  return parsed.data;
}
