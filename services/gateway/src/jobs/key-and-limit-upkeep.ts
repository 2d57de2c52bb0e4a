import { type Logger, type RepeatedRounds, repeatRounds } from '@countersign/platform';
import type { Kysely } from 'kysely';
import type { IdentityDatabase } from '../db/types.js';
import type { KeyRing } from '../domain/key-ring.js';
import { type RotationPolicy, rotationDue } from '../domain/key-rotation.js';
import type { KekSet } from '../domain/key-sealing.js';
import { pruneIdempotencyKeys } from '../use-cases/prune-idempotency-keys.js';
import { pruneRateLimitWindows } from '../use-cases/prune-rate-limit-windows.js';
import { pruneRegistrations } from '../use-cases/prune-registrations.js';
import { refreshKeyRing } from '../use-cases/refresh-key-ring.js';
import { rotateSigningKey } from '../use-cases/rotate-signing-key.js';
import { pruneStreamTicketUses } from '../use-cases/use-stream-ticket.js';

export interface UpkeepDeps {
  db: Kysely<IdentityDatabase>;
  ring: KeyRing;
  /** Seals new keys, opens stored ones. */
  keks: KekSet;
  logger: Logger;
  now: () => Date;
  policy: RotationPolicy;
  /** How often to check for a due rotation, reload the key ring and prune windows and keys. */
  intervalMs: number;
  /** Idempotency keys older than this are pruned. */
  idempotencyRetentionMs: number;
}

/**
 * The gateway's periodic work, a door like an HTTP route: rotate the signing key when it
 * is due (once across replicas), reload the key ring from the database so every replica
 * signs with the same key and serves the same JWKS, and prune ended rate-limit windows
 * and expired idempotency keys and registrations nobody verified in 24 hours.
 * One run at a time; a failed run is logged and the next one tries again.
 */
export function startUpkeep(deps: UpkeepDeps): RepeatedRounds {
  return repeatRounds({
    name: 'upkeep',
    logger: deps.logger,
    intervalMs: deps.intervalMs,
    round: () => runOnce(deps),
  });
}

async function runOnce(deps: UpkeepDeps): Promise<void> {
  try {
    if (rotationDue(deps.ring.keyTimes, deps.now(), deps.policy)) {
      const outcome = await rotateSigningKey(deps.db, { ...deps, mode: 'scheduled' });
      if (outcome.added) deps.logger.info(outcome, 'signing key rotated');
    }
    await refreshKeyRing(deps.db, deps.ring, deps.keks);
    await pruneRateLimitWindows(deps.db);
    await pruneStreamTicketUses(deps.db);
    await pruneIdempotencyKeys(deps.db, deps.idempotencyRetentionMs);
    const expired = await pruneRegistrations(deps.db, deps.now());
    if (expired > 0) deps.logger.info({ expired }, 'unverified registrations expired');
  } catch (error) {
    deps.logger.warn({ err: error }, 'key and rate-limit upkeep failed; retrying next round');
  }
}
