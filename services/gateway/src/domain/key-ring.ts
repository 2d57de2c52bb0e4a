import type { AccessClaims } from '@countersign/contracts';
import { type CryptoKey, exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';

export const SIGNING_ALGORITHM = 'EdDSA';

export interface StoredKey {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

export async function generateSigningKey(kid: string): Promise<StoredKey> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  const base = { kid, alg: SIGNING_ALGORITHM, use: 'sig' };
  return {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), ...base },
    publicJwk: { ...(await exportJWK(publicKey)), ...base },
  };
}

/** Signs with the newest key; publishes every key so tokens signed before a rotation still verify. */
export class KeyRing {
  private constructor(
    private readonly current: { kid: string; key: CryptoKey | Uint8Array },
    readonly publicKeys: JWK[],
  ) {}

  static async load(keys: StoredKey[]): Promise<KeyRing> {
    const newest = keys[0];
    if (!newest) throw new Error('no signing key');
    const key = await importJWK(newest.privateJwk, SIGNING_ALGORITHM);
    return new KeyRing(
      { kid: newest.kid, key },
      keys.map((k) => k.publicJwk),
    );
  }

  async sign(
    claims: AccessClaims,
    options: { issuer: string; audience: string; ttlSeconds: number },
  ): Promise<string> {
    const { sub, ...rest } = claims;
    return new SignJWT(rest)
      .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: this.current.kid, typ: 'JWT' })
      .setSubject(sub)
      .setIssuer(options.issuer)
      .setAudience(options.audience)
      .setIssuedAt()
      .setExpirationTime(`${options.ttlSeconds}s`)
      .sign(this.current.key);
  }
}
