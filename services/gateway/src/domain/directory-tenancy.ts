import { ForbiddenError } from '@countersign/platform';

/** What a directory user event claims, and what the gateway already holds about it. */
export interface DirectoryEventClaim {
  /** The envelope's company. */
  companyId: string;
  userId: string;
  /** The event asks for an invitation to be mailed. */
  invite: boolean;
  actor: { kind: 'user' | 'system'; id: string };
}

export interface StoredLogins {
  /** The company of the login with the event's user id, if there is one. */
  userCompanyId: string | undefined;
  /** The company of the login with the actor's id, if the actor is a user with a login. */
  actorCompanyId: string | undefined;
}

/**
 * The second line behind the bus's permissions (only the approval service may publish
 * directory events): a directory event is refused, never applied, when it cannot be about
 * the company it names.
 * - A login is never moved between companies: an event naming another company than the
 *   stored login of that user is forged or corrupt.
 * - An invitation is mailed only when an administrator of the same company asked for it:
 *   its actor must be a user with a login in that company (the approval service announces
 *   invitations as the admin who added the person).
 * What it cannot catch: a forged event that names a new user id and copies the id of a real
 * user of the victim company as its actor. Only the NATS permissions stop that.
 */
export function refuseForeignDirectoryEvent(
  claim: DirectoryEventClaim,
  stored: StoredLogins,
): void {
  if (stored.userCompanyId !== undefined && stored.userCompanyId !== claim.companyId) {
    throw new ForbiddenError(
      `directory event names company ${claim.companyId} for user ${claim.userId}, whose login belongs to another company`,
    );
  }
  if (!claim.invite) return;
  if (claim.actor.kind !== 'user' || stored.actorCompanyId !== claim.companyId) {
    throw new ForbiddenError(
      `invitation of user ${claim.userId} in company ${claim.companyId} was not asked for by a user of that company`,
    );
  }
}
