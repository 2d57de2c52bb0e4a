import type { RegisterResponse } from '@countersign/contracts';
import type { Kysely, Transaction } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { lockCredentialByEmail } from '../db/credential-queries.js';
import { queueMail } from '../db/mail-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import { accountExistsMail, verificationMail } from '../domain/mail-templates.js';
import { hashPassword } from '../domain/password-hashing.js';
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
 * registration that was never verified is replaced by a new one: otherwise anyone could
 * squat an address by registering it first, since only its owner can read the code.
 */
export async function registerCompany(
  deps: RegistrationDeps,
  input: RegisterCompanyInput,
): Promise<RegisterResponse> {
  const email = input.email.toLowerCase();
  const passwordHash = await hashPassword(input.password);
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
    if (existing && !pending) {
      await queueMail(trx, accountExistsMail(email));
      return;
    }
    const userId = existing?.user_id ?? (await createAdmin(trx, email, input, passwordHash));
    const issued = await issueCode(trx, {
      userId,
      purpose: 'verify_email',
      mail: (code) => verificationMail(email, input.name, code),
      now,
      rationed: true,
    });
    // A replacement takes effect only with a code its sender must read, so only then.
    if (existing && issued) {
      await trx
        .updateTable('credential')
        .set({ name: input.name, password_hash: passwordHash })
        .where('user_id', '=', userId)
        .execute();
      await trx
        .updateTable('registration')
        .set({ company_name: input.company_name })
        .where('user_id', '=', userId)
        .execute();
    }
  });
  deps.mailQueued();
  return {
    message: `A verification code is on its way to ${email}. Send it to /api/auth/verify-email within 10 minutes.`,
  };
}

async function createAdmin(
  trx: Transaction<IdentityDatabase>,
  email: string,
  input: RegisterCompanyInput,
  passwordHash: string,
): Promise<string> {
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
    .returning(['user_id', 'company_id'])
    .executeTakeFirstOrThrow();
  await trx
    .insertInto('registration')
    .values({ ...created, company_name: input.company_name })
    .execute();
  return created.user_id;
}
