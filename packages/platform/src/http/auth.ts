import { type AccessClaims, AccessClaims as AccessClaimsSchema } from '@countersign/contracts';
import type { MiddlewareHandler } from 'hono';
import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from 'jose';
import { UnauthorizedError } from '../errors.js';

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
  return async (token) => {
    try {
      const { payload } = await jwtVerify(token, keys, {
        algorithms: ['EdDSA'],
        issuer: options.issuer,
        audience: options.audience,
        requiredClaims: ['exp', 'iat', 'sub'],
      });
      return AccessClaimsSchema.parse(payload);
    } catch {
      throw new UnauthorizedError('the access token is missing, invalid or expired');
    }
  };
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
