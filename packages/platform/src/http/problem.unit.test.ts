import { createServer } from 'node:net';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from '../dependency-failure.js';
import { UpstreamError } from '../errors.js';
import { createLogger } from '../logger.js';
import { createServiceApp } from './app.js';

/** The error a real pg client throws when nothing listens on the database's port. */
async function refusedConnectionError(): Promise<unknown> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return new pg.Client({ host: '127.0.0.1', port }).connect().then(
    () => new Error('unexpectedly connected'),
    (error: unknown) => error,
  );
}

function appThrowing(error: unknown) {
  const app = createServiceApp(createLogger('test', 'silent'), []);
  app.get('/thing', () => {
    throw error;
  });
  return app;
}

describe('errors as HTTP answers', () => {
  it('answers a database that is down with 503 problem+json and Retry-After, naming only the database', async () => {
    const response = await appThrowing(await refusedConnectionError()).request('/thing');
    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.headers.get('retry-after')).toBe(String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    const problem = (await response.json()) as { type: string; detail: string };
    expect(problem.type).toMatch(/upstream-unavailable$/);
    expect(problem.detail).toMatch(/database/);
    expect(problem.detail).not.toMatch(/127\.0\.0\.1|ECONNREFUSED/);
  });

  it('says when to come back on every 503, a service that did not answer included', async () => {
    const response = await appThrowing(
      new UpstreamError('the expense service did not answer'),
    ).request('/thing');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe(String(UNAVAILABLE_RETRY_AFTER_SECONDS));
  });

  it('keeps a bug a bare 500, without Retry-After', async () => {
    const response = await appThrowing(new TypeError('x is undefined')).request('/thing');
    expect(response.status).toBe(500);
    expect(response.headers.get('retry-after')).toBeNull();
  });
});
