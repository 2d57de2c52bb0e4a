import type { RegisterResponse } from '@countersign/contracts';
import { queueMail } from '@countersign/platform';
import type { Kysely, Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { lockCredentialByEmail } from '../db/credential-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import { accountExistsMail, verificationMail } from '../domain/mail-templates.js';
import type { PasswordHasher } from '../domain/password-hashing.js';
import { consumeRateLimit } from './consume-rate-limit.js';
import { issueCode } from './issue-code.js';

export interface RegistrationDeps {
  db: Kysely<IdentityDatabase>;
  now: () => Date;
  mailQueued: () => void;
}

export interface RegisterCompanyInput {
  company_name: string;
  name: string;
  email: string;
  password: string;
}

/**
 * Starts a new company with its first admin, unverified until they enter the e-mailed code.
 * The answer is the same whether or not the address already has an account (the owner of
 * an existing one is told by e-mail instead), so registration cannot list accounts. A
 * registration that was never verified is replaced by a new one (otherwise anyone could
 * squat an address by registering it first); verifying needs the code, which only the
 * mailbox's owner reads, and the password of the latest registration, which only its
 * author knows, so a stranger's replacement cannot be verified by the owner by mistake.
 * A registration nobody verifies within 24 hours is deleted (pruneRegistrations).
 *
 * The password is hashed after the cheap checks (body, rate limits) and behind the shared
 * hashing limit; on every path, an address with an account included, so the answer takes
 * the same time either way.
 */
export async function registerCompany(
  deps: RegistrationDeps & { passwords: PasswordHasher },
  input: RegisterCompanyInput,
): Promise<RegisterResponse> {
  const email = input.email.toLowerCase();
  const passwordHash = await deps.passwords.hash(input.password);
  const now = deps.now();
  await deps.db.transaction().execute(async (trx) => {
    const existing = await lockCredentialByEmail(trx, email);
    const pending =
      existing &&
      (await trx
        .selectFrom('registration')
        .select('user_id')
        .where('user_id', '=', existing.user_id)
        .executeTakeFirst());
    const unacceptedInvitation = existing && !existing.password_hash;
    if (existing && !pending && !unacceptedInvitation) {
      await tellOwner(trx, email);
      return;
    }
    if (unacceptedInvitation) await dropLogin(trx, existing.user_id);
    const userId = pending ? existing.user_id : await createAdmin(trx, email, input, passwordHash);
    if (!userId) {
      // Another registration of this address committed first.
      await tellOwner(trx, email);
      return;
    }
    const issued = await issueCode(trx, {
      userId,
      purpose: 'verify_email',
      mail: (code) => verificationMail(email, input.name, code),
      now,
      rationed: true,
    });
    // Replacing a pending registration: verifying it will need this password.
    if (pending && issued) {
      await trx
        .updateTable('credential')
        .set({ name: input.name, password_hash: passwordHash })
        .where('user_id', '=', userId)
        .execute();
      await trx
        .updateTable('registration')
        // The 24 hours to verify start again with each registration.
        .set({ company_name: input.company_name, created_at: now })
        .where('user_id', '=', userId)
        .execute();
    }
  });
  deps.mailQueued();
  return {
    message: `A verification code is on its way to ${email}. Send it to /api/auth/verify-email within 10 minutes.`,
  };
}

/** Tells the owner of an address that someone tried to register it, a few times an hour at most. */
async function tellOwner(trx: Transaction<IdentityDatabase>, email: string): Promise<void> {
  const verdict = await consumeRateLimit(trx, {
    key: `mail:account-exists:${email}`,
    limit: 3,
    windowSeconds: 3600,
  });
  if (verdict.allowed) await queueMail(trx, accountExistsMail(email));
}

/**
 * Removes a login that was never used: an invitation nobody accepted. Otherwise anyone who
 * registered a company could invite an address and so keep its owner from ever signing
 * up. The inviting company keeps the person in its directory, without a login.
 */
async function dropLogin(trx: Transaction<IdentityDatabase>, userId: string): Promise<void> {
  await trx.deleteFrom('one_time_code').where('user_id', '=', userId).execute();
  await trx.deleteFrom('credential').where('user_id', '=', userId).execute();
}

async function createAdmin(
  trx: Transaction<IdentityDatabase>,
  email: string,
  input: RegisterCompanyInput,
  passwordHash: string,
): Promise<string | undefined> {
  const created = await trx
    .insertInto('credential')
    .values({
      user_id: uuidv7(),
      company_id: uuidv7(),
      email,
      name: input.name,
      role: 'admin',
      password_hash: passwordHash,
      active: true,
    })
    .onConflict((oc) => oc.column('email').doNothing())
    .returning(['user_id', 'company_id'])
    .executeTakeFirst();
  if (!created) return undefined;
  await trx
    .insertInto('registration')
    .values({ ...created, company_name: input.company_name })
    .execute();
  return created.user_id;
}
