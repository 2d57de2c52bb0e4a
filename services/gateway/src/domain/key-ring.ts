import type { AccessClaims } from '@countersign/contracts';
import {
  type CryptoKey,
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTVerifyGetKey,
  SignJWT,
} from 'jose';
import { type KeyTimes, publishedKeys, signingKey } from './key-rotation.js';

export const SIGNING_ALGORITHM = 'EdDSA';

export interface StoredKey extends KeyTimes {
  privateJwk: JWK;
  publicJwk: JWK;
}

export async function generateSigningKey(
  kid: string,
): Promise<Pick<StoredKey, 'kid' | 'privateJwk' | 'publicJwk'>> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  const base = { kid, alg: SIGNING_ALGORITHM, use: 'sig' };
  return {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), ...base },
    publicJwk: { ...(await exportJWK(publicKey)), ...base },
  };
}

interface LoadedKey extends KeyTimes {
  privateKey: CryptoKey | Uint8Array;
}

interface RingState {
  keys: LoadedKey[];
  publicKeys: JWK[];
  verify: JWTVerifyGetKey;
}

/**
 * The published keys in memory. It signs with the key the rotation rules name at the
 * moment of signing (so replicas switch together at a key's activation time, without a
 * reload) and verifies against exactly the published keys. `replace` swaps in what the
 * database holds now; main.ts calls it periodically.
 */
export class KeyRing {
  private constructor(
    private state: RingState,
    private readonly now: () => Date,
  ) {}

  static async load(keys: StoredKey[], now: () => Date = () => new Date()): Promise<KeyRing> {
    return new KeyRing(await ringState(keys), now);
  }

  async replace(keys: StoredKey[]): Promise<void> {
    this.state = await ringState(keys);
  }

  /** The public halves the JWKS serves. */
  get publicKeys(): JWK[] {
    return this.state.publicKeys;
  }

  /** The published keys' times, newest first, for the rotation rules. */
  get keyTimes(): KeyTimes[] {
    return this.state.keys.map(({ kid, createdAt, activatesAt }) => ({
      kid,
      createdAt,
      activatesAt,
    }));
  }

  /** For jose's jwtVerify: resolves a token's kid against the keys published right now. */
  readonly verificationKey: JWTVerifyGetKey = (header, token) => this.state.verify(header, token);

  async sign(
    claims: AccessClaims,
    options: { issuer: string; audience: string; ttlSeconds: number; jwtId?: string },
  ): Promise<string> {
    const current = signingKey(this.state.keys, this.now());
    if (!current) throw new Error('no signing key is active yet');
    const { sub, ...rest } = claims;
    const jwt = new SignJWT(rest);
    if (options.jwtId !== undefined) jwt.setJti(options.jwtId);
    return (
      jwt
        .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: current.kid, typ: 'JWT' })
        .setSubject(sub)
        .setIssuer(options.issuer)
        .setAudience(options.audience)
        // With milliseconds (RFC 7519 allows a fractional NumericDate): a revocation's
        // not_before then tells a token issued just before it from one issued just after.
        .setIssuedAt(this.now().getTime() / 1000)
        .setExpirationTime(`${options.ttlSeconds}s`)
        .sign(current.privateKey)
    );
  }
}

async function ringState(keys: StoredKey[]): Promise<RingState> {
  const published = publishedKeys(keys);
  if (published.length === 0) throw new Error('no signing key');
  const loaded = await Promise.all(
    published.map(async (k) => ({
      kid: k.kid,
      createdAt: k.createdAt,
      activatesAt: k.activatesAt,
      privateKey: await importJWK(k.privateJwk, SIGNING_ALGORITHM),
    })),
  );
  const publicKeys = published.map((k) => k.publicJwk);
  return { keys: loaded, publicKeys, verify: createLocalJWKSet({ keys: publicKeys }) };
}
