/**
 * Times the gateway's rate-limit check (`consumeRateLimit`: one upsert on an UNLOGGED
 * table) against PostgreSQL, and prints the figures; it asserts nothing.
 *
 *   DATABASE_URL=postgres://…/scratch npm run bench:rate-limit
 *
 * It applies the gateway's migrations to that database (so point it at a scratch one or
 * a gateway's own), and writes only rate-limit rows under `bench:` keys, removed at the end.
 * Env: RATE_LIMIT_BENCH_CHECKS (5000), RATE_LIMIT_BENCH_CONCURRENCY (32).
 */
import { performance } from 'node:perf_hooks';
import { createDatabase, migrateSchema } from '@countersign/platform';
import { migrations } from '../../services/gateway/src/db/migrations/index.js';
import type { IdentityDatabase } from '../../services/gateway/src/db/types.js';
import { consumeRateLimit } from '../../services/gateway/src/use-cases/consume-rate-limit.js';
import { formatTable, summarize } from './stats.js';

const SCHEMA = 'identity';
const checks = Number(process.env.RATE_LIMIT_BENCH_CHECKS ?? 5000);
const concurrency = Number(process.env.RATE_LIMIT_BENCH_CONCURRENCY ?? 32);
const db = createDatabase<IdentityDatabase>({
  url: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/countersign',
  schema: SCHEMA,
  maxConnections: concurrency,
});

/** Runs `total` checks over `workers` loops; returns each check's duration and the wall time. */
async function timeChecks(
  total: number,
  workers: number,
  keyOf: (i: number) => string,
): Promise<{ samples: number[]; perSecond: number }> {
  const samples: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let i = next++; i < total; i = next++) {
        const t = performance.now();
        await consumeRateLimit(db, { key: keyOf(i), limit: 1_000_000, windowSeconds: 60 });
        samples.push(performance.now() - t);
      }
    }),
  );
  return { samples, perSecond: Math.round(total / ((performance.now() - started) / 1000)) };
}

try {
  await migrateSchema(db, SCHEMA, migrations);
  await timeChecks(200, 4, (i) => `bench:warm:${i % 4}`);
  const runs = {
    'one key, sequential': await timeChecks(checks, 1, () => 'bench:hot'),
    'distinct keys, sequential': await timeChecks(checks, 1, (i) => `bench:key:${i}`),
    [`one key, ${concurrency} at once`]: await timeChecks(checks, concurrency, () => 'bench:hot2'),
  };
  const rows = Object.entries(runs).map(([name, { samples, perSecond }]) => {
    const s = summarize(samples);
    return [
      name,
      String(s.count),
      String(s.mean_ms),
      String(s.p50_ms),
      String(s.p99_ms),
      String(perSecond),
    ];
  });
  console.log(formatTable(['run', 'checks', 'mean ms', 'p50 ms', 'p99 ms', 'checks/s'], rows));
  await db.deleteFrom('rate_limit_counter').where('key', 'like', 'bench:%').execute();
} finally {
  await db.destroy();
}
