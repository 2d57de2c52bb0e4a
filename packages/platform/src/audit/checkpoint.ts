import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { AuditCheckpointV1, AuditService } from '@countersign/contracts';
import { canonicalJson } from './canonical.js';

/** A checkpoint before it is signed. */
export type UnsignedCheckpoint = Omit<AuditCheckpointV1, 'signature'>;

/** This service's Ed25519 key, and the public keys its verify trusts (its own and retired ones). */
export interface AuditKeys {
  signer: { keyId: string; privateKey: KeyObject };
  trusted: ReadonlyMap<string, KeyObject>;
}

export interface AuditKeySettings {
  /** PEM (PKCS#8), or the base64 of its DER: the private key itself. */
  AUDIT_SIGNING_KEY?: string | undefined;
  /** A file holding the PEM (a mounted secret); used when AUDIT_SIGNING_KEY is unset. */
  AUDIT_SIGNING_KEY_FILE?: string | undefined;
  /** Public keys (PEM SPKI or base64 DER, comma-separated) also accepted: keys rotated out. */
  AUDIT_TRUSTED_KEYS?: string | undefined;
}

/** The key id: the first 16 hex digits of SHA-256 over the public key's SPKI DER. */
export function auditKeyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex').slice(0, 16);
}

/**
 * Reads the service's signing key from the environment or its file. There is no default:
 * a service without one refuses to start (see main.ts), since unsigned checkpoints would
 * protect nothing; `npm start`, the test cluster and docker-compose generate one.
 */
export function loadAuditKeys(settings: AuditKeySettings): AuditKeys {
  const text =
    settings.AUDIT_SIGNING_KEY ??
    (settings.AUDIT_SIGNING_KEY_FILE
      ? readFileSync(settings.AUDIT_SIGNING_KEY_FILE, 'utf8')
      : undefined);
  if (!text?.trim()) {
    throw new Error(
      'no audit signing key: set AUDIT_SIGNING_KEY (an Ed25519 private key, PEM or base64 DER) or AUDIT_SIGNING_KEY_FILE',
    );
  }
  const privateKey = keyFrom(text, 'private');
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`the audit signing key must be Ed25519, not ${privateKey.asymmetricKeyType}`);
  }
  const own = createPublicKey(privateKey);
  const trusted = new Map<string, KeyObject>([[auditKeyId(own), own]]);
  for (const item of splitKeys(settings.AUDIT_TRUSTED_KEYS ?? '')) {
    const key = keyFrom(item, 'public');
    if (key.asymmetricKeyType !== 'ed25519')
      throw new Error('AUDIT_TRUSTED_KEYS: Ed25519 keys only');
    trusted.set(auditKeyId(key), key);
  }
  return { signer: { keyId: auditKeyId(own), privateKey }, trusted };
}

/** PEM blocks stay whole; anything else is a comma-separated list of base64 DER keys. */
function splitKeys(text: string): string[] {
  const pem = text.match(/-----BEGIN [A-Z ]+-----[\s\S]+?-----END [A-Z ]+-----/g);
  if (pem) return pem;
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

function keyFrom(text: string, kind: 'private' | 'public'): KeyObject {
  const trimmed = text.trim();
  if (trimmed.includes('-----BEGIN')) {
    return kind === 'private' ? createPrivateKey(trimmed) : createPublicKey(trimmed);
  }
  const der = Buffer.from(trimmed, 'base64');
  return kind === 'private'
    ? createPrivateKey({ key: der, format: 'der', type: 'pkcs8' })
    : createPublicKey({ key: der, format: 'der', type: 'spki' });
}

/** The bytes signed: the canonical JSON of every field but the signature. */
function signedBytes(checkpoint: UnsignedCheckpoint): Buffer {
  const { version, service, company_id, sequence, hash, signed_at, key_id } = checkpoint;
  return Buffer.from(
    canonicalJson({ version, service, company_id, sequence, hash, signed_at, key_id }),
  );
}

export function signAuditCheckpoint(
  fields: {
    service: AuditService;
    companyId: string;
    sequence: number;
    hash: string;
    signedAt: Date;
  },
  signer: AuditKeys['signer'],
): AuditCheckpointV1 {
  const unsigned: UnsignedCheckpoint = {
    version: 1,
    service: fields.service,
    company_id: fields.companyId,
    sequence: fields.sequence,
    hash: fields.hash,
    signed_at: fields.signedAt.toISOString(),
    key_id: signer.keyId,
  };
  const signature = sign(null, signedBytes(unsigned), signer.privateKey).toString('base64url');
  return { ...unsigned, signature };
}

/** Whether a checkpoint was signed by one of the trusted keys, and by which. */
export function checkAuditCheckpointSignature(
  checkpoint: AuditCheckpointV1,
  trusted: ReadonlyMap<string, KeyObject>,
): 'valid' | 'unknown_key' | 'signature_invalid' {
  const key = trusted.get(checkpoint.key_id);
  if (!key) return 'unknown_key';
  const signature = Buffer.from(checkpoint.signature, 'base64url');
  return verify(null, signedBytes(checkpoint), key, signature) ? 'valid' : 'signature_invalid';
}

/** A fresh Ed25519 key as base64 PKCS#8 DER, the one-line form AUDIT_SIGNING_KEY takes. */
export function newAuditSigningKey(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  return privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
}

/** The public half of a signing key as base64 SPKI DER, the form AUDIT_TRUSTED_KEYS takes. */
export function auditPublicKeyOf(signingKey: string): string {
  const publicKey = createPublicKey(keyFrom(signingKey, 'private'));
  return publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
}
