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
  try {
    body = await c.req.json();
  } catch {
    throw new ValidationError([{ path: '', message: 'body must be valid JSON' }]);
  }
  return parseOrThrow(schema, body);
}

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
