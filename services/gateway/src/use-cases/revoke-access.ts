import type { AccessRevocationReason } from '@countersign/contracts';
import { newEvent } from '@countersign/platform';
import type { Transaction } from 'kysely';
import { lockAccessExclusive } from '../db/access-lock-queries.js';
import { revokeAllOfUser } from '../db/refresh-token-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import { enqueue } from '../outbox/enqueue.js';

export interface AccessRevocation {
  companyId: string;
  userId: string;
  reason: AccessRevocationReason;
  /** Who did it: the person themselves, an admin (through the directory), the system. */
  actor: { kind: 'user' | 'system'; id: string };
  /** Also end every refresh token (sign-in) of the person; a role change keeps them. */
  endSessions: boolean;
}

/**
 * Ends a person's access tokens issued until now, everywhere: publishes AccessRevoked
 * (through the outbox, in the caller's transaction), which every process of every service
 * applies to its token verifier within moments. Refresh tokens end too when asked. Call it
 * after the transaction's other locks: it takes the person's access lock last (see
 * lockAccessExclusive) and reads the clock only once it holds it.
 */
export async function revokeAccess(
  trx: Transaction<IdentityDatabase>,
  revocation: AccessRevocation,
  now: () => Date,
): Promise<void> {
  if (revocation.endSessions) await revokeAllOfUser(trx, revocation.userId, now());
  await lockAccessExclusive(trx, revocation.userId);
  const notBefore = now();
  await enqueue(trx, [
    newEvent('AccessRevoked', {
      companyId: revocation.companyId,
      actor: revocation.actor,
      subject: revocation.userId,
      occurredAt: notBefore,
      data: {
        company_id: revocation.companyId,
        user_id: revocation.userId,
        not_before: notBefore.toISOString(),
        reason: revocation.reason,
      },
    }),
  ]);
}
