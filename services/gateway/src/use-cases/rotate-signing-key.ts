import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import {
  deleteSigningKeys,
  insertSigningKey,
  lockSigningKeys,
  selectSigningKeys,
} from '../db/signing-key-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import { generateSigningKey } from '../domain/key-ring.js';
import {
  decideRotation,
  type RotationMode,
  type RotationPolicy,
  retiredKeys,
} from '../domain/key-rotation.js';
import type { KekSet } from '../domain/key-sealing.js';
import { DEPLOYMENT_COMPANY, recordAudit } from '../outbox/audit.js';

export interface RotationOutcome {
  /** The key added, when one was. */
  added?: { kid: string; activatesAt: Date };
  /** Why no key was added. */
  skipped?: string;
  /** Keys deleted because they fell out of the published two. */
  retired: string[];
}

/**
 * Adds a signing key when the rules say so, and deletes the keys that fall out of the
 * JWKS. A transaction-scoped advisory lock makes replicas that check at the same moment
 * rotate once: the second one reads the first one's key and finds nothing due.
 */
export async function rotateSigningKey(
  db: Kysely<IdentityDatabase>,
  options: { now: () => Date; policy: RotationPolicy; mode: RotationMode; keks: KekSet },
): Promise<RotationOutcome> {
  return db.transaction().execute(async (trx) => {
    await lockSigningKeys(trx);
    const keys = await selectSigningKeys(trx, options.keks);
    const decision = decideRotation(keys, options.now(), options.policy, options.mode);
    if (!decision.rotate) return { skipped: decision.reason, retired: [] };
    const fresh = {
      ...(await generateSigningKey(uuidv7())),
      createdAt: decision.createdAt,
      activatesAt: decision.activatesAt,
    };
    await insertSigningKey(trx, fresh, options.keks.current);
    const retired = retiredKeys([fresh, ...keys]).map((k) => k.kid);
    await deleteSigningKeys(trx, retired);
    await recordAudit(trx, {
      companyId: DEPLOYMENT_COMPANY,
      actor: { kind: 'system', id: 'gateway' },
      action: 'signing_key.rotated',
      entity: { type: 'signing_key', id: fresh.kid },
      after: { kid: fresh.kid, activates_at: fresh.activatesAt, retired },
    });
    return { added: { kid: fresh.kid, activatesAt: fresh.activatesAt }, retired };
  });
}
