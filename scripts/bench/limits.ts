/**
 * The rate limits a bench needs. The gateway's defaults (1,200 requests a minute per
 * address, 600 per user, 30 sign-ins) are for people; the bench sends thousands a second
 * from one address as two users. `npm start -- --bench` starts the cluster with these;
 * the bench checks what the gateway says its limit is before it measures anything.
 */
import { BenchAbort } from './config.js';

/** The environment `npm start -- --bench` gives the gateway (per window, all replicas). */
export const BENCH_LIMIT_ENV: Readonly<Record<string, string>> = {
  RATE_LIMIT_IP_PER_WINDOW: '100000000',
  RATE_LIMIT_USER_PER_WINDOW: '100000000',
  AUTH_ATTEMPTS_IP_PER_WINDOW: '100000',
  AUTH_ATTEMPTS_ACCOUNT_PER_WINDOW: '100000',
};

/** The least RateLimit-Limit (one replica's share per window) under which a bench run is refused. */
export const MIN_BENCH_LIMIT = 1_000_000;

/**
 * Reads RateLimit-Limit from one signed-in request (the tighter of the address's and the
 * user's limit) and stops the bench with what to do when it is too low to measure with.
 */
export async function assertBenchLimits(baseUrl: string, token: string): Promise<void> {
  const answer = await fetch(`${baseUrl}/api/users/me`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await answer.arrayBuffer();
  const limit = Number(answer.headers.get('ratelimit-limit'));
  if (!Number.isFinite(limit) || limit < MIN_BENCH_LIMIT) {
    throw new BenchAbort(
      `The gateway at ${baseUrl} limits this client to ${answer.headers.get('ratelimit-limit') ?? '?'} requests a window; the bench needs at least ${MIN_BENCH_LIMIT.toLocaleString('en')}.\n` +
        'Start the cluster with `npm start -- --bench` (or set these on the gateway: ' +
        `${Object.entries(BENCH_LIMIT_ENV)
          .map(([name, value]) => `${name}=${value}`)
          .join(' ')}).`,
    );
  }
  console.log(`Gateway rate limit for the bench client: ${limit.toLocaleString('en')} a window.`);
}
