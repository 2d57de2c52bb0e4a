import type { Kysely } from 'kysely';
import { deleteRegistrationsStartedBefore } from '../db/registration-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import { REGISTRATION_LIFETIME_MS } from '../domain/one-time-codes.js';

/**
 * Deletes registrations nobody verified within their lifetime (24 hours), so an address a
 * stranger signed up with is free again; safe for several replicas to run at once.
 */
export async function pruneRegistrations(db: Kysely<IdentityDatabase>, now: Date): Promise<number> {
  return deleteRegistrationsStartedBefore(db, new Date(now.getTime() - REGISTRATION_LIFETIME_MS));
}
