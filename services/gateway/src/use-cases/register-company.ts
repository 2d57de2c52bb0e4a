import type { RegisterResponse } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { replaceCode } from '../db/code-queries.js';
import { queueMail } from '../db/mail-queries.js';
import type { IdentityDatabase } from '../db/types.js';
import { accountExistsMail, verificationMail } from '../domain/mail-templates.js';
import { codeLifetimeMs, newCode } from '../domain/one-time-codes.js';
import { hashPassword } from '../domain/password-hashing.js';

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
 * an existing one is told by e-mail instead), so registration cannot list accounts.
 */
export async function registerCompany(
  deps: RegistrationDeps,
  input: RegisterCompanyInput,
): Promise<RegisterResponse> {
  const email = input.email.toLowerCase();
  const passwordHash = await hashPassword(input.password);
  const { secret, code } = await newCode();
  const now = deps.now();
  await deps.db.transaction().execute(async (trx) => {
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
    if (!created) {
      await queueMail(trx, accountExistsMail(email));
      return;
    }
    await trx
      .insertInto('registration')
      .values({ ...created, company_name: input.company_name })
      .execute();
    await replaceCode(trx, {
      userId: created.user_id,
      purpose: 'verify_email',
      secret,
      expiresAt: new Date(now.getTime() + codeLifetimeMs.verify_email),
      now,
    });
    await queueMail(trx, verificationMail(email, input.name, code));
  });
  deps.mailQueued();
  return {
    message: `A verification code is on its way to ${email}. Send it to /api/auth/verify-email within 10 minutes.`,
  };
}
