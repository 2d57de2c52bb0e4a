import { type Actor, type UserSnapshot, Uuid } from '@countersign/contracts';
import { type Logger, queueMail } from '@countersign/platform';
import type { Transaction } from 'kysely';
import { hasLiveCode } from '../db/code-queries.js';
import { revokeAllOfUser } from '../db/refresh-token-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import { refuseForeignDirectoryEvent } from '../domain/directory-tenancy.js';
import { addressChangedMail, invitationMail, verificationMail } from '../domain/mail-templates.js';
import { issueCode } from './issue-code.js';

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
 * code by e-mail; a deactivated person's sessions all end. A new e-mail address must be
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
  deps: { now: Date; logger: Logger },
): Promise<void> {
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
    return;
  }
  const emailTaken = await emailHeldByAnother(trx, email, user.user_id);
  if (emailTaken) {
    deps.logger.warn(
      { user_id: user.user_id, company_id: change.companyId },
      'directory e-mail already belongs to another login; that address is not applied',
    );
  }
  if (!current) {
    if (emailTaken) return; // no login can be made for this person
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
    return;
  }
  const addressMoved = current !== undefined && current.email !== email && !emailTaken;
  if (change.invite) await inviteIfAwaited(trx, user, deps.now);
  // An invitee whose address changed is invited again, at the new one.
  if (addressMoved && !current.password_hash) await inviteIfAwaited(trx, user, deps.now, true);
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

async function emailHeldByAnother(trx: Trx, email: string, userId: string): Promise<boolean> {
  const holder = await trx
    .selectFrom('credential')
    .select('user_id')
    .where('email', '=', email)
    .where('user_id', '!=', userId)
    .executeTakeFirst();
  return holder !== undefined;
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
