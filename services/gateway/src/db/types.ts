import type { Role } from '@countersign/contracts';
import type { ColumnType, Generated } from 'kysely';

export interface CredentialTable {
  user_id: string;
  company_id: string;
  email: string;
  name: string;
  role: Role;
  password_hash: string;
  active: boolean;
}

export interface SigningKeyTable {
  kid: string;
  private_jwk: ColumnType<JsonWebKeyShape, string, string>;
  public_jwk: ColumnType<JsonWebKeyShape, string, string>;
  created_at: Generated<Date>;
}

export interface JsonWebKeyShape {
  kty: string;
  crv?: string;
  x?: string;
  d?: string;
  kid?: string;
  alg?: string;
  use?: string;
}

/** Identity lives in the `identity` schema, owned by the gateway alone. */
export interface IdentityDatabase {
  credential: CredentialTable;
  signing_key: SigningKeyTable;
}
