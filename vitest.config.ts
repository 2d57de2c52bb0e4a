import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Workspace packages resolve to their TypeScript sources in tests, not to a stale dist.
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    include: ['services/*/src/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 60_000,
    // A cluster of TEST_REPLICAS processes per service takes that much longer to start.
    hookTimeout: 120_000 * Math.max(1, Number(process.env.TEST_REPLICAS ?? 1) || 1),
    // Integration and end-to-end files share one PostgreSQL and one NATS: run files one at a time.
    fileParallelism: false,
    reporters: ['default', './tests/support/closing-line-reporter.ts'],
  },
});
