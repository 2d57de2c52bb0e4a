import { DEMO_PASSWORD, demoCompany, demoUsers } from '@countersign/demo-data';
import type { Kysely } from 'kysely';
import type { IdentityDatabase } from '../db/types.js';
import { hashPassword } from '../domain/password-hashing.js';

/** Gives each TechCorp demo user a login; rows already there are left alone. */
export async function seedDemoCredentials(db: Kysely<IdentityDatabase>): Promise<number> {
  const passwordHash = await hashPassword(DEMO_PASSWORD);
  const inserted = await db
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
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .returning('user_id')
    .execute();
  return inserted.length;
}
