import {
  type AccessClaims,
  AccessClaims as AccessClaimsSchema,
  type Permission,
  roleHasPermission,
} from '@countersign/contracts';
import type { MiddlewareHandler } from 'hono';
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { ZodError } from 'zod';
import { noteAuditCaller } from '../audit/context.js';
import { ForbiddenError, UnauthorizedError, UpstreamError } from '../errors.js';
import type { RevocationList } from './revocation-list.js';

export interface TokenVerifierOptions {
  /** Where the signing keys come from: the gateway's JWKS URL, or a key set in hand. */
  jwksUrl?: string;
  keys?: JWTVerifyGetKey;
  issuer: string;
  audience: string;
  /**
   * How long a fetched JWKS is trusted before it is fetched again, and so how long a key
   * withdrawn from it keeps working here. Default 300.
   */
  jwksCacheSeconds?: number;
  /**
   * Revocations pushed over the bus (see followRevocations): checked on every call, also
   * for a token already verified, so a revocation takes effect here as soon as it arrives.
   */
  revocations?: RevocationList;
}

/** Tokens the gateway signs: EdDSA, always with a kid. Anything else is refused before any key is looked up. */
const ACCEPTED_ALGORITHM = 'EdDSA';

export type TokenVerifier = (token: string) => Promise<AccessClaims>;

/**
 * An unknown kid triggers a JWKS refetch at most this often. The gateway publishes a new
 * key for longer than this plus its own reload interval before signing with it.
 */
export const JWKS_REFETCH_COOLDOWN_MS = 30_000;
/** A token whose signature checked out is re-checked after at most this long. */
const VERIFIED_TOKEN_TTL_MS = 60_000;

/**
 * Verifies gateway-issued access tokens against the gateway's JWKS: EdDSA only, a kid
 * required, issuer, audience, expiry (and not-before when present) checked explicitly.
 * Keys are cached and refetched on an unknown kid, at most once per cooldown.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const cacheMs = (options.jwksCacheSeconds ?? 300) * 1000;
  const keySet =
    options.keys ??
    createRemoteJWKSet(new URL(options.jwksUrl ?? 'http://127.0.0.1:4000/.well-known/jwks.json'), {
      cooldownDuration: JWKS_REFETCH_COOLDOWN_MS,
      cacheMaxAge: cacheMs,
    });
  const keys: JWTVerifyGetKey = (header, token) => {
    // Explicit, before the key set is consulted: jwtVerify's algorithm list would refuse
    // these too, but an unknown kid must not make us refetch for a token we refuse anyway.
    if (header.alg !== ACCEPTED_ALGORITHM) throw new errors.JOSEAlgNotAllowed('alg not allowed');
    if (typeof header.kid !== 'string' || header.kid === '') {
      throw new errors.JWSInvalid('the token names no kid');
    }
    // A withdrawn key may still sit in the cached key set: refuse it without asking.
    if (options.revocations?.isWithdrawn(header.kid)) {
      throw new errors.JWKSNoMatchingKey('the key was withdrawn');
    }
    return keySet(header, token);
  };
  // Never trust a verified token longer than the key set it was checked against.
  const verified = new VerifiedTokenCache(Math.min(VERIFIED_TOKEN_TTL_MS, cacheMs));
  const refuseRevoked = (entry: VerifiedToken): AccessClaims => {
    const refusal = options.revocations?.refusal({
      userId: entry.claims.sub,
      issuedAtMs: entry.issuedAtMs,
      kid: entry.kid,
    });
    if (refusal) {
      verified.delete(entry.token);
      throw new UnauthorizedError(
        refusal === 'key-withdrawn'
          ? 'the access token was signed with a withdrawn key; sign in again'
          : 'the access token was revoked; refresh it or sign in again',
      );
    }
    return entry.claims;
  };
  return async (token) => {
    const cached = verified.get(token);
    if (cached) return refuseRevoked(cached);
    let entry: VerifiedToken;
    try {
      const { payload, protectedHeader } = await jwtVerify(token, keys, {
        algorithms: [ACCEPTED_ALGORITHM],
        issuer: options.issuer,
        audience: options.audience,
        requiredClaims: ['exp', 'iat', 'sub'],
      });
      entry = {
        token,
        claims: AccessClaimsSchema.parse(payload),
        kid: protectedHeader.kid ?? '',
        issuedAtMs: Math.round((payload.iat ?? 0) * 1000),
      };
      verified.set(entry, (payload.exp ?? 0) * 1000);
    } catch (error) {
      if (keySetUnavailable(error)) {
        throw new UpstreamError('the signing keys could not be fetched; try again shortly');
      }
      throw new UnauthorizedError('the access token is missing, invalid or expired');
    }
    return refuseRevoked(entry);
  };
}

/** A token whose signature checked out, with what a revocation is matched against. */
interface VerifiedToken {
  token: string;
  claims: AccessClaims;
  kid: string;
  issuedAtMs: number;
}

/** The key set could not be fetched: an outage, not a bad token. */
function keySetUnavailable(error: unknown): boolean {
  if (error instanceof errors.JWKSTimeout) return true;
  // jose wraps nothing else: a network failure reaches us as a plain (non-jose) error.
  return (
    error instanceof Error && !(error instanceof errors.JOSEError) && !(error instanceof ZodError)
  );
}

/**
 * Remembers tokens whose signature already checked out, for a minute at most and never
 * past their expiry: a signature check costs more than the rest of a typical request
 * here. Bounded, oldest out first.
 */
class VerifiedTokenCache {
  private readonly entries = new Map<string, { verified: VerifiedToken; expiresAt: number }>();
  constructor(
    private readonly ttlMs: number,
    private readonly capacity = 10_000,
  ) {}

  get(token: string): VerifiedToken | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.verified;
  }

  delete(token: string): void {
    this.entries.delete(token);
  }

  /** Kept until the token expires or the TTL passes, whichever comes first. */
  set(verified: VerifiedToken, tokenExpiresAt: number): void {
    const expiresAt = Math.min(tokenExpiresAt, Date.now() + this.ttlMs);
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(verified.token, { verified, expiresAt });
  }
}

/** The verifier every service but the gateway uses: keys from the gateway's JWKS URL. */
export function tokenVerifierFromConfig(
  config: {
    JWKS_URL: string;
    JWT_ISSUER: string;
    JWT_AUDIENCE: string;
    JWKS_CACHE_SECONDS: number;
  },
  revocations?: RevocationList,
): TokenVerifier {
  return createTokenVerifier({
    jwksUrl: config.JWKS_URL,
    jwksCacheSeconds: config.JWKS_CACHE_SECONDS,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
    ...(revocations ? { revocations } : {}),
  });
}

export interface AuthVariables {
  caller: AccessClaims;
  token: string;
}

/**
 * Requires `Authorization: Bearer <token>` and puts the verified caller on the context,
 * verifying the token only if no earlier middleware put this token's caller there.
 */
export function requireAuth(
  verify: TokenVerifier,
): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1])
      throw new UnauthorizedError('send an access token as "Authorization: Bearer <token>"');
    const token = match[1];
    // An earlier middleware (the gateway's rate limiter) may have verified this very token.
    const caller = c.var.token === token ? c.var.caller : await verify(token);
    c.set('caller', caller);
    c.set('token', token);
    noteAuditCaller({ id: caller.sub, role: caller.role });
    await next();
  };
}

/**
 * Refuses (403) a caller whose role lacks `permission` in the one permission table. Runs
 * after `requireAuth`; object-level rules are the use case's to check.
 */
export function requirePermission(
  permission: Permission,
): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const { role } = c.var.caller;
    if (!roleHasPermission(role, permission)) {
      throw new ForbiddenError(`the ${role} role does not allow this (needs ${permission})`);
    }
    await next();
  };
}
