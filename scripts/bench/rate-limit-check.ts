/**
 * Times the gateway's API rate-limit check (GCRA in memory, `RateLimiter.check`) and
 * prints the figures; it asserts nothing and needs no database.
 *
 *   npm run bench:rate-limit
 *
 * Env: RATE_LIMIT_BENCH_CHECKS (1,000,000), RATE_LIMIT_BENCH_KEYS (10,000).
 */
import { performance } from 'node:perf_hooks';
import { RateLimiter } from '../../services/gateway/src/domain/gcra.js';
import { formatTable } from './stats.js';

const checks = Number(process.env.RATE_LIMIT_BENCH_CHECKS ?? 1_000_000);
const keyCount = Number(process.env.RATE_LIMIT_BENCH_KEYS ?? 10_000);
const keys = Array.from({ length: keyCount }, (_, i) => `203.0.${i >> 8}.${i & 255}`);

/** Runs `checks` checks with `keyOf(i)` as the key; returns ns per check and checks/s. */
function timeChecks(keyOf: (i: number) => string): [string, string] {
  const limiter = new RateLimiter({ limit: 1_000_000, periodMs: 60_000 });
  const started = performance.now();
  for (let i = 0; i < checks; i++) limiter.check(keyOf(i), performance.now());
  const ms = performance.now() - started;
  return [((ms * 1e6) / checks).toFixed(0), String(Math.round(checks / (ms / 1000)))];
}

timeChecks((i) => keys[i % keyCount] ?? ''); // warm up
const rows = [
  ['one key', ...timeChecks(() => 'hot')],
  [`${keyCount} keys, round robin`, ...timeChecks((i) => keys[i % keyCount] ?? '')],
];
console.log(formatTable(['run', 'ns per check', 'checks/s'], rows));
