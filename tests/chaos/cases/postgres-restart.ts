/**
 * Fault case (c): PostgreSQL stopped as by a crash (`pg_ctl -m immediate`), held down a
 * moment, started again (crash recovery). The services must live through it and serve
 * again by themselves.
 */
import type { PrivatePostgres } from '../../support/private-postgres.js';
import { type ChaosCase, chaosScale } from '../harness.js';

export function postgresRestarts(postgres: PrivatePostgres): ChaosCase {
  const restarts = chaosScale(1, 5);
  return {
    name: `pg_ctl -m immediate stop and start ×${restarts}`,
    faults: async (run) => {
      for (let i = 0; i < restarts; i++) {
        await run.fault('PostgreSQL stopped -m immediate', {
          inject: async () => postgres.stop('immediate'),
          holdMs: 2_000,
          heal: () => postgres.restart(),
        });
        await run.loadProgress(5);
      }
    },
  };
}
