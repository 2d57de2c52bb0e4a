import type { UserSnapshot } from '@countersign/contracts';
import type { Logger } from '@countersign/platform';
import { sql, type Transaction } from 'kysely';
import { revokeAllOfUser } from '../db/refresh-token-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import { invitationMail } from '../domain/mail-templates.js';
import { issueCode } from './issue-code.js';

export interface DirectoryUserChange {
  companyId: string;
  user: UserSnapshot;
  /** An admin invited this person: e-mail them a code to choose their password. */
  invite: boolean;
}

/**
 * Keeps the login of a directory person in step with the directory (name, e-mail, role,
 * active), applying a snapshot only when it is newer than the one applied, so events may
 * arrive in any order. A new invitee gets a login without a password and an invitation
 * code by e-mail; a deactivated person's sessions all end.
 */
export async function applyDirectoryUser(
  trx: Transaction<IdentityDatabase>,
  change: DirectoryUserChange,
  deps: { now: Date; logger: Logger },
): Promise<void> {
  const { user } = change;
  const email = user.email.toLowerCase();
  const holder = await trx
    .selectFrom('credential')
    .select('user_id')
    .where('email', '=', email)
    .where('user_id', '!=', user.user_id)
    .executeTakeFirst();
  if (holder) {
    // Logins are keyed by e-mail across companies; the directory only knows its own.
    deps.logger.warn(
      { user_id: user.user_id, company_id: change.companyId },
      'directory e-mail already belongs to another login; login not created or changed',
    );
    return;
  }
  const applied = await trx
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
    .onConflict((oc) =>
      oc
        .column('user_id')
        .doUpdateSet((eb) => ({
          email: eb.ref('excluded.email'),
          name: eb.ref('excluded.name'),
          role: eb.ref('excluded.role'),
          active: eb.ref('excluded.active'),
          directory_revision: eb.ref('excluded.directory_revision'),
        }))
        .where('credential.directory_revision', '<', user.revision),
    )
    .returning(sql<boolean>`xmax = 0`.as('inserted'))
    .executeTakeFirst();
  if (!applied) return; // an equal or newer snapshot was applied already
  if (!user.active) await revokeAllOfUser(trx, user.user_id, deps.now);
  if (change.invite && applied.inserted && user.active) {
    await issueCode(trx, {
      userId: user.user_id,
      purpose: 'invitation',
      mail: (code) => invitationMail(user.email, user.name, code),
      now: deps.now,
      rationed: false,
    });
  }
}
