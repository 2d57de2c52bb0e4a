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
  /** Published from created_at; signs from activates_at (publish before sign). */
  activates_at: Generated<Date>;
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
  rate_limit_counter: RateLimitCounterTable;
}

/**
 * Hits per key and fixed window (UNLOGGED: counters need no fsync and may be lost in a
 * crash). bigint columns come back from pg as strings.
 */
export interface RateLimitCounterTable {
  key: string;
  window_seconds: number;
  /** Epoch seconds where the window starts, a multiple of window_seconds. */
  window_start: ColumnType<string, number | string, never>;
  hits: number;
}
