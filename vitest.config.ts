import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: { conditions: ['source'] },
  test: {
    include: ['services/*/src/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration and end-to-end files share one PostgreSQL and one NATS: run files one at a time.
    fileParallelism: false,
    reporters: ['default', './tests/support/closing-line-reporter.ts'],
  },
});
