import {
  type AccessClaims,
  AccessClaims as AccessClaimsSchema,
  type Permission,
  roleHasPermission,
} from '@countersign/contracts';
import type { MiddlewareHandler } from 'hono';
import { createRemoteJWKSet, errors, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { ZodError } from 'zod';
import { ForbiddenError, UnauthorizedError, UpstreamError } from '../errors.js';

export interface TokenVerifierOptions {
  /** Where the signing keys come from: the gateway's JWKS URL, or a key set in hand. */
  jwksUrl?: string;
  keys?: JWTVerifyGetKey;
  issuer: string;
  audience: string;
}

export type TokenVerifier = (token: string) => Promise<AccessClaims>;

/**
 * Verifies gateway-issued access tokens against the gateway's JWKS: EdDSA only, with
 * issuer, audience and expiry checked explicitly. Keys are cached and refetched on an
 * unknown kid.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const keys =
    options.keys ??
    createRemoteJWKSet(new URL(options.jwksUrl ?? 'http://127.0.0.1:4000/.well-known/jwks.json'), {
      cooldownDuration: 30_000,
      cacheMaxAge: 600_000,
    });
  const verified = new VerifiedTokenCache();
  return async (token) => {
    const cached = verified.get(token);
    if (cached) return cached;
    try {
      const { payload } = await jwtVerify(token, keys, {
        algorithms: ['EdDSA'],
        issuer: options.issuer,
        audience: options.audience,
        requiredClaims: ['exp', 'iat', 'sub'],
      });
      const claims = AccessClaimsSchema.parse(payload);
      // Re-check at least every minute, so a key withdrawn from the JWKS stops working soon.
      verified.set(token, claims, Math.min((payload.exp ?? 0) * 1000, Date.now() + 60_000));
      return claims;
    } catch (error) {
      if (keySetUnavailable(error)) {
        throw new UpstreamError('the signing keys could not be fetched; try again shortly');
      }
      throw new UnauthorizedError('the access token is missing, invalid or expired');
    }
  };
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
  private readonly entries = new Map<string, { claims: AccessClaims; expiresAt: number }>();
  constructor(private readonly capacity = 10_000) {}

  get(token: string): AccessClaims | undefined {
    const entry = this.entries.get(token);
    if (!entry) return undefined;
    if (entry.expiresAt <= Date.now()) {
      this.entries.delete(token);
      return undefined;
    }
    return entry.claims;
  }

  set(token: string, claims: AccessClaims, expiresAt: number): void {
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(token, { claims, expiresAt });
  }
}

/** The verifier every service but the gateway uses: keys from the gateway's JWKS URL. */
export function tokenVerifierFromConfig(config: {
  JWKS_URL: string;
  JWT_ISSUER: string;
  JWT_AUDIENCE: string;
}): TokenVerifier {
  return createTokenVerifier({
    jwksUrl: config.JWKS_URL,
    issuer: config.JWT_ISSUER,
    audience: config.JWT_AUDIENCE,
  });
}

export interface AuthVariables {
  caller: AccessClaims;
  token: string;
}

/** Requires `Authorization: Bearer <token>` and puts the verified caller on the context. */
export function requireAuth(
  verify: TokenVerifier,
): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1])
      throw new UnauthorizedError('send an access token as "Authorization: Bearer <token>"');
    c.set('caller', await verify(match[1]));
    c.set('token', match[1]);
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
