import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { JWK } from 'jose';

/**
 * Signing keys at rest: each private JWK is sealed with AES-256-GCM under a key-encryption
 * key (KEK) the database never holds. The row keeps the KEK's id, so a gateway given a new
 * KEK (and the old one as previous) knows which rows to reseal. The key's kid is the
 * authenticated data: a sealed key copied onto another row does not open.
 */
export interface Kek {
  /** A fingerprint of the key (not the key): names it in rows and messages. */
  id: string;
  key: Buffer;
}

export interface KekSet {
  /** Seals every key, and opens those sealed with it. */
  current: Kek;
  /** Older KEKs, only to open keys sealed before a KEK rotation (then resealed). */
  previous: Kek[];
}

/** The KEK is missing, malformed or not the one a key was sealed with. */
export class KekError extends Error {}

const FORMAT = 'v1';
const IV_BYTES = 12;

export function kekFromBase64(text: string, name = 'SIGNING_KEY_KEK'): Kek {
  const key = Buffer.from(text.trim(), 'base64');
  if (key.length !== 32) {
    throw new KekError(
      `${name} must be 32 bytes in base64 (openssl rand -base64 32); got ${key.length} bytes`,
    );
  }
  const id = createHash('sha256')
    .update('countersign-kek\0')
    .update(key)
    .digest('hex')
    .slice(0, 16);
  return { id, key };
}

export function sealPrivateKey(jwk: JWK, kid: string, kek: Kek): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', kek.key, iv);
  cipher.setAAD(Buffer.from(kid));
  const data = Buffer.concat([cipher.update(JSON.stringify(jwk), 'utf8'), cipher.final()]);
  const parts = [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url'));
  return [FORMAT, ...parts].join('.');
}

/** Opens a sealed key with the KEK of `kekId`, or says clearly which KEK it needs. */
export function unsealPrivateKey(sealed: string, kid: string, kekId: string, keks: KekSet): JWK {
  const kek = [keks.current, ...keks.previous].find((k) => k.id === kekId);
  if (!kek) {
    throw new KekError(
      `signing key ${kid} is sealed with KEK ${kekId}, but SIGNING_KEY_KEK is ${keks.current.id}` +
        `${keks.previous.length ? ` (previous: ${keks.previous.map((k) => k.id).join(', ')})` : ''}: ` +
        'start with the KEK it was sealed with (as SIGNING_KEY_KEK_PREVIOUS while rotating)',
    );
  }
  const [format, iv, tag, data] = sealed.split('.');
  if (format !== FORMAT || !iv || !tag || data === undefined) {
    throw new KekError(`signing key ${kid}: unknown sealed format`);
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', kek.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(kid));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    const plain = Buffer.concat([
      decipher.update(Buffer.from(data, 'base64url')),
      decipher.final(),
    ]);
    return JSON.parse(plain.toString('utf8')) as JWK;
  } catch {
    throw new KekError(
      `signing key ${kid} does not open with KEK ${kek.id}: wrong KEK or altered row`,
    );
  }
}
