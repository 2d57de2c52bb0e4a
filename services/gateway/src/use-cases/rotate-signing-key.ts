import { newEvent } from '@countersign/platform';
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
  withdrawnKeys,
} from '../domain/key-rotation.js';
import type { KekSet } from '../domain/key-sealing.js';
import { DEPLOYMENT_COMPANY, recordAudit } from '../outbox/audit.js';
import { enqueue } from '../outbox/enqueue.js';

export interface RotationOutcome {
  /** The key added, when one was. */
  added?: { kid: string; activatesAt: Date };
  /** Why no key was added. */
  skipped?: string;
  /** Keys deleted because they fell out of the published two. */
  retired: string[];
  /** Keys withdrawn at once by an incident's rotation (SigningKeyWithdrawn published). */
  withdrawn: string[];
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
    if (!decision.rotate) return { skipped: decision.reason, retired: [], withdrawn: [] };
    const fresh = {
      ...(await generateSigningKey(uuidv7())),
      createdAt: decision.createdAt,
      activatesAt: decision.activatesAt,
    };
    await insertSigningKey(trx, fresh, options.keks.current);
    const retired = retiredKeys([fresh, ...keys]).map((k) => k.kid);
    const withdrawn = withdrawnKeys(keys, options.mode).map((k) => k.kid);
    await deleteSigningKeys(trx, [...new Set([...retired, ...withdrawn])]);
    // Every process refuses a withdrawn key's tokens at once, even ones it had verified.
    await enqueue(
      trx,
      withdrawn.map((kid) =>
        newEvent('SigningKeyWithdrawn', {
          companyId: DEPLOYMENT_COMPANY,
          actor: { kind: 'system', id: 'gateway' },
          subject: kid,
          occurredAt: decision.createdAt,
          data: {
            kid,
            withdrawn_at: decision.createdAt.toISOString(),
            replaced_by: fresh.kid,
          },
        }),
      ),
    );
    await recordAudit(trx, {
      companyId: DEPLOYMENT_COMPANY,
      actor: { kind: 'system', id: 'gateway' },
      action: 'signing_key.rotated',
      entity: { type: 'signing_key', id: fresh.kid },
      after: { kid: fresh.kid, activates_at: fresh.activatesAt, retired, withdrawn },
    });
    return { added: { kid: fresh.kid, activatesAt: fresh.activatesAt }, retired, withdrawn };
  });
}
