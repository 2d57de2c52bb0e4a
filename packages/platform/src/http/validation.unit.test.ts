import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { readJsonBody } from './validation.js';

const Body = z.object({ description: z.string(), tags: z.array(z.string()).optional() });

/** The outcome of reading `raw` as the body: the parsed value, or the field errors. */
async function read(raw: string): Promise<unknown> {
  const app = new Hono();
  app.post('/', async (c) => c.json({ body: await readJsonBody(c, Body) }));
  app.onError((error) =>
    Response.json({ errors: error instanceof ValidationError ? error.fieldErrors : String(error) }),
  );
  const response = await app.request('/', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: raw,
  });
  return response.json();
}

describe('readJsonBody', () => {
  it('takes well-formed text, surrogate pairs included', async () => {
    expect(await read('{"description":"taxi \\ud83d\\ude95"}')).toEqual({
      body: { description: 'taxi 🚕' },
    });
  });

  it.each([
    ['a lone high surrogate', '{"description":"taxi \\ud800"}', 'description'],
    ['a lone low surrogate', '{"description":"\\udc00 taxi"}', 'description'],
    ['a reversed pair', '{"description":"\\ude95\\ud83d"}', 'description'],
    ['one deep in an array', '{"description":"ok","tags":["fine","\\ud800"]}', '1'],
  ])('refuses %s with a 400 naming where it is', async (_, raw, path) => {
    expect(await read(raw)).toEqual({
      errors: [{ path, message: 'must be valid Unicode text (it holds a lone surrogate)' }],
    });
  });
});
