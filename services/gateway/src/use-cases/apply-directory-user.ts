import {
  type AccessRevocationReason,
  type Actor,
  type UserSnapshot,
  Uuid,
} from '@countersign/contracts';
import { type Logger, queueMail } from '@countersign/platform';
import type { Transaction } from 'kysely';
import { hasLiveCode } from '../db/code-queries.js';
import { revokeAllOfUser } from '../db/refresh-token-queries.js';
import { deleteUnverifiedRegistration } from '../db/registration-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import { refuseForeignDirectoryEvent } from '../domain/directory-tenancy.js';
import { addressChangedMail, invitationMail, verificationMail } from '../domain/mail-templates.js';
import { issueCode } from './issue-code.js';
import { revokeAccess } from './revoke-access.js';

export interface DirectoryUserChange {
  companyId: string;
  user: UserSnapshot;
  /** An admin invited this person: e-mail them a code to choose their password. */
  invite: boolean;
  /** Who made the change, as the event says. */
  actor: Actor;
}

type Trx = Transaction<IdentityDatabase>;

/**
 * Keeps the login of a directory person in step with the directory (name, e-mail, role,
 * active), applying a snapshot only when it is newer than the one applied, so events may
 * arrive in any order. A new invitee gets a login without a password and an invitation
 * code by e-mail; a deactivated person's sessions all end, and their access tokens (like a
 * demoted person's) are revoked everywhere (AccessRevoked). A new e-mail address must be
 * proven before it signs in (an admin cannot redirect someone's login mail to an address
 * of their own): the login becomes unverified, the new address gets a code, the old one a
 * notice. Logins are unique by e-mail across companies: an address another login holds
 * is not taken, but everything else still applies. An event that cannot be about the
 * company it names is refused before anything is applied (domain/directory-tenancy.ts):
 * the consumer dead-letters it.
 */
export async function applyDirectoryUser(
  trx: Trx,
  change: DirectoryUserChange,
  deps: { now: Date; logger: Logger; clock?: () => Date },
): Promise<void> {
  const revocation = await applyToLogin(trx, change, deps);
  // Last, as revokeAccess asks: the tokens made from the login as it was are refused.
  if (revocation) {
    await revokeAccess(
      trx,
      {
        companyId: change.companyId,
        userId: change.user.user_id,
        reason: revocation,
        actor: { kind: 'system', id: 'gateway' },
        endSessions: false,
      },
      deps.clock ?? (() => new Date()),
    );
  }
}

/** Applies the snapshot; says why the person's access tokens must end, if they must. */
async function applyToLogin(
  trx: Trx,
  change: DirectoryUserChange,
  deps: { now: Date; logger: Logger },
): Promise<AccessRevocationReason | undefined> {
  const { user } = change;
  const email = user.email.toLowerCase();
  const current = await trx
    .selectFrom('credential')
    .selectAll()
    .where('user_id', '=', user.user_id)
    .forUpdate()
    .executeTakeFirst();
  refuseForeignDirectoryEvent(
    {
      companyId: change.companyId,
      userId: user.user_id,
      invite: change.invite,
      actor: change.actor,
    },
    {
      userCompanyId: current?.company_id,
      actorCompanyId: change.invite ? await loginCompany(trx, change.actor) : undefined,
    },
  );
  if (current && current.directory_revision >= user.revision) {
    // Already applied; an invitation still goes out if a newer snapshot arrived first.
    if (change.invite && current.active) await inviteIfAwaited(trx, user, deps.now);
    return undefined;
  }
  const emailTaken = await emailHeldByAnother(trx, email, user.user_id);
  if (emailTaken) {
    deps.logger.warn(
      { user_id: user.user_id, company_id: change.companyId },
      'directory e-mail already belongs to another login; that address is not applied',
    );
  }
  if (!current) {
    if (emailTaken) return undefined; // no login can be made for this person
    await trx
      .insertInto('credential')
      .values({
        user_id: user.user_id,
        company_id: change.companyId,
        email,
        name: user.name,
        role: user.role,
        password_hash: null,
        active: user.active,
        directory_revision: user.revision,
      })
      .execute();
  } else {
    const newAddress = current.email !== email && !emailTaken;
    await trx
      .updateTable('credential')
      .set({
        name: user.name,
        role: user.role,
        active: user.active,
        directory_revision: user.revision,
        ...(newAddress ? { email, email_verified_at: null } : {}),
      })
      .where('user_id', '=', user.user_id)
      .execute();
    if (newAddress && current.password_hash) {
      await revokeAllOfUser(trx, user.user_id, deps.now);
      await queueMail(trx, addressChangedMail(current.email, email));
      await issueCode(trx, {
        userId: user.user_id,
        purpose: 'verify_email',
        mail: (code) => verificationMail(email, user.name, code),
        now: deps.now,
        rationed: false,
      });
    }
  }
  if (!user.active) {
    await revokeAllOfUser(trx, user.user_id, deps.now);
    return current?.active ? 'deactivated' : undefined;
  }
  const addressMoved = current !== undefined && current.email !== email && !emailTaken;
  if (change.invite) await inviteIfAwaited(trx, user, deps.now);
  // An invitee whose address changed is invited again, at the new one.
  if (addressMoved && !current.password_hash) await inviteIfAwaited(trx, user, deps.now, true);
  if (!current) return undefined;
  if (addressMoved && current.password_hash) return 'email_changed';
  return current.role !== user.role ? 'role_changed' : undefined;
}

/** The company of the actor's login, if the actor is a user who has one. */
async function loginCompany(trx: Trx, actor: Actor): Promise<string | undefined> {
  // Not a user id at all (the column is a uuid): no login, and no query that would fail.
  if (actor.kind !== 'user' || !Uuid.safeParse(actor.id).success) return undefined;
  const login = await trx
    .selectFrom('credential')
    .select('company_id')
    .where('user_id', '=', actor.id)
    .executeTakeFirst();
  return login?.company_id;
}

/**
 * Whether another login holds the address. A registration nobody verified holds it for no
 * one yet: it gives way (is deleted), so a stranger's sign-up cannot block an invitation,
 * or an address change and the resets that follow it.
 */
async function emailHeldByAnother(trx: Trx, email: string, userId: string): Promise<boolean> {
  const holder = await trx
    .selectFrom('credential')
    .leftJoin('registration', 'registration.user_id', 'credential.user_id')
    .select(['credential.user_id', 'credential.email_verified_at', 'registration.company_id'])
    .where('credential.email', '=', email)
    .where('credential.user_id', '!=', userId)
    .forUpdate('credential')
    .executeTakeFirst();
  if (!holder) return false;
  if (holder.company_id === null || holder.email_verified_at) return true;
  await deleteUnverifiedRegistration(trx, holder.user_id);
  return false;
}

/**
 * Invites a person whose login still has no password, to their current address, unless a
 * live invitation is out already (or `again`: the old one went to an old address). Keyed
 * on the login's state rather than on whether this event created it, so an invitation is
 * not lost when a later snapshot arrived first.
 */
async function inviteIfAwaited(
  trx: Trx,
  user: UserSnapshot,
  now: Date,
  again = false,
): Promise<void> {
  const login = await trx
    .selectFrom('credential')
    .select(['password_hash', 'email'])
    .where('user_id', '=', user.user_id)
    .executeTakeFirst();
  if (!login || login.password_hash) return;
  if (!again && (await hasLiveCode(trx, user.user_id, 'invitation', now))) return;
  await issueCode(trx, {
    userId: user.user_id,
    purpose: 'invitation',
    mail: (code) => invitationMail(login.email, user.name, code),
    now,
    rationed: false,
  });
}
