import { DEMO_PASSWORD, demoCompany, demoUsers } from '@countersign/demo-data';
import { type Kysely, sql } from 'kysely';
import type { IdentityDatabase } from '../db/types.js';
import { hashPassword } from '../domain/password-hashing.js';

/**
 * Gives each TechCorp demo user a verified login with the demo password (the published one
 * unless the deployment chose another). The directory may
 * have announced them first (a login without a password): those get the password; logins
 * that have one are left alone.
 */
export async function seedDemoCredentials(
  db: Kysely<IdentityDatabase>,
  password: string = DEMO_PASSWORD,
): Promise<number> {
  const passwordHash = await hashPassword(password);
  const seeded = await db
    .insertInto('credential')
    .values(
      demoUsers.map((u) => ({
        user_id: u.id,
        company_id: demoCompany.id,
        email: u.email,
        name: u.name,
        role: u.role,
        password_hash: passwordHash,
        active: true,
        email_verified_at: sql<Date>`now()`,
      })),
    )
    .onConflict((oc) =>
      oc
        .column('user_id')
        .doUpdateSet({ password_hash: passwordHash, email_verified_at: sql<Date>`now()` })
        .where('credential.password_hash', 'is', null),
    )
    .returning('user_id')
    .execute();
  return seeded.length;
}
