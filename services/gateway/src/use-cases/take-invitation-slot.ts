import type { Kysely } from 'kysely';
import { countHit, giveBackHit } from '../db/rate-limit-queries.js';
import type { IdentityDatabase } from '../db/types.js';

const DAY_SECONDS = 86_400;

export interface InvitationSlot {
  allowed: boolean;
  /** Seconds until the company's quota starts again (the next UTC midnight). */
  retryAfterSeconds: number;
  /** Returns the slot: the request invited nobody after all. */
  giveBack: () => Promise<void>;
}

/**
 * Takes one of a company's invitations for today (UTC days, counted in PostgreSQL, so
 * every gateway replica shares the count). Each invitation e-mails a stranger's address
 * on the company's word: the quota keeps a self-registered company from using Countersign
 * to mail the world. A refused request keeps no slot.
 */
export async function takeInvitationSlot(
  db: Kysely<IdentityDatabase>,
  companyId: string,
  perDay: number,
): Promise<InvitationSlot> {
  const key = `invitations:company:${companyId}`;
  const counted = await countHit(db, key, DAY_SECONDS);
  const giveBack = () => giveBackHit(db, key, DAY_SECONDS, counted.windowStart);
  const allowed = counted.hits <= perDay;
  if (!allowed) await giveBack();
  return { allowed, retryAfterSeconds: counted.resetSeconds, giveBack };
}
