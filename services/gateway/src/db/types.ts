import type { Role } from '@countersign/contracts';
import type { AuditTables, MailOutboxTables, MessagingTables } from '@countersign/platform';
import type { ColumnType, Generated } from 'kysely';
import type { CodePurpose } from '../domain/one-time-codes.js';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

/** A login: who can sign in, as whom, and whether their address is proven. */
export interface CredentialTable {
  user_id: string;
  company_id: string;
  email: string;
  name: string;
  role: Role;
  /** Null until an invited person accepts and chooses one. */
  password_hash: string | null;
  active: boolean;
  email_verified_at: Timestamp | null;
  /** The directory revision of name, email and role last applied (0: not from the directory). */
  directory_revision: Generated<number>;
  created_at: Generated<Date>;
}

export interface RegistrationTable {
  user_id: string;
  company_id: string;
  company_name: string;
  created_at: Generated<Date>;
}

export type { CodePurpose };

export interface OneTimeCodeTable {
  id: string;
  user_id: string;
  purpose: CodePurpose;
  secret: string;
  attempts: Generated<number>;
  expires_at: Timestamp;
  consumed_at: Timestamp | null;
  created_at: Generated<Date>;
}

export interface RefreshTokenTable {
  id: string;
  family_id: string;
  user_id: string;
  token_hash: string;
  expires_at: Timestamp;
  created_at: Generated<Date>;
  rotated_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface SigningKeyTable {
  kid: string;
  /** Plaintext only in rows written before sealing existed, until the next start seals them. */
  private_jwk: ColumnType<JsonWebKeyShape | null, string | null, string | null>;
  /** The private JWK sealed under the KEK kek_id names (domain/key-sealing.ts). */
  sealed_private_key: string | null;
  kek_id: string | null;
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
export interface IdentityDatabase extends MessagingTables, AuditTables, MailOutboxTables {
  credential: CredentialTable;
  registration: RegistrationTable;
  one_time_code: OneTimeCodeTable;
  refresh_token: RefreshTokenTable;
  signing_key: SigningKeyTable;
  rate_limit_counter: RateLimitCounterTable;
  idempotency_key: IdempotencyKeyTable;
  stream_ticket_use: StreamTicketUseTable;
  sign_in_address: SignInAddressTable;
  code_request: CodeRequestTable;
}

/**
 * A code someone asked for (a password reset, a new verification code), waiting to be
 * issued off the request path, so the request does the same work for any address.
 */
export interface CodeRequestTable {
  id: string;
  purpose: 'reset_password' | 'verify_email';
  email: string;
  requested_at: Generated<Date>;
}

/** A client address an account signed in from with its password: its good record. */
export interface SignInAddressTable {
  user_id: string;
  address: string;
  last_signed_in_at: Timestamp;
}

/** A stream ticket's id (its `jti`) once it has opened a stream, kept until it expires. */
export interface StreamTicketUseTable {
  ticket_id: string;
  expires_at: ColumnType<Date, Date, never>;
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

/**
 * A caller's Idempotency-Key (per company and token subject): the request it was first
 * used for, the claim of the request running under it, and its answer once final.
 */
export interface IdempotencyKeyTable {
  company_id: string;
  subject: string;
  key: string;
  method: string;
  path: string;
  /** SHA-256 (hex) of method, path and canonical body. */
  fingerprint: string;
  /** Which request holds the key; answers are stored only by their own claim. */
  claim_token: string;
  created_at: Timestamp;
  /** Until when the claim counts as running; null once answered. */
  lease_until: Timestamp | null;
  response_status: number | null;
  response_content_type: string | null;
  response_body: string | null;
  completed_at: Timestamp | null;
}
