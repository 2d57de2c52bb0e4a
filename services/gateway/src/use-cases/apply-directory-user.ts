import type { UserSnapshot } from '@countersign/contracts';
import { type Logger, queueMail } from '@countersign/platform';
import type { Transaction } from 'kysely';
import { hasLiveCode } from '../db/code-queries.js';
import { revokeAllOfUser } from '../db/refresh-token-queries.js';
import { deleteUnverifiedRegistration } from '../db/registration-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import { addressChangedMail, invitationMail, verificationMail } from '../domain/mail-templates.js';
import { issueCode } from './issue-code.js';

export interface DirectoryUserChange {
  companyId: string;
  user: UserSnapshot;
  /** An admin invited this person: e-mail them a code to choose their password. */
  invite: boolean;
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
 * is not taken, but everything else still applies.
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
