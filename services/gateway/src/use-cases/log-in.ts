import type { LoginRequest, LoginResponse } from '@countersign/contracts';
import { UnauthorizedError } from '@countersign/platform';
import type { Kysely } from 'kysely';
import type { IdentityDatabase } from '../db/types.js';
import type { KeyRing } from '../domain/key-ring.js';
import { hashPassword, verifyPassword } from '../domain/password-hashing.js';

export interface LogInDeps {
  db: Kysely<IdentityDatabase>;
  keys: KeyRing;
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

// Verified against when the email is unknown, so both failures take the same time.
const decoyHash = hashPassword('countersign-decoy-password');

/** Exchanges an email and password for a short-lived access token. */
export async function logIn(deps: LogInDeps, request: LoginRequest): Promise<LoginResponse> {
  const credential = await deps.db
    .selectFrom('credential')
    .selectAll()
    .where('email', '=', request.email.toLowerCase())
    .executeTakeFirst();
  const passwordOk = await verifyPassword(
    credential?.password_hash ?? (await decoyHash),
    request.password,
  );
  if (!credential || !passwordOk || !credential.active) {
    throw new UnauthorizedError('the email or password is wrong');
  }
  const token = await deps.keys.sign(
    {
      sub: credential.user_id,
      company_id: credential.company_id,
      role: credential.role,
      name: credential.name,
      email: credential.email,
    },
    { issuer: deps.issuer, audience: deps.audience, ttlSeconds: deps.ttlSeconds },
  );
  return { access_token: token, token_type: 'Bearer', expires_in: deps.ttlSeconds };
}
