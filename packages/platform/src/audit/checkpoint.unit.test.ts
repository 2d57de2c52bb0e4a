import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  auditPublicKeyOf,
  checkAuditCheckpointSignature,
  loadAuditKeys,
  newAuditSigningKey,
  signAuditCheckpoint,
} from './checkpoint.js';

const fields = {
  service: 'expense' as const,
  companyId: '0197a000-0000-7000-8000-000000000001',
  sequence: 42,
  hash: 'a'.repeat(64),
  signedAt: new Date('2026-12-07T17:00:00.000Z'),
};

describe('audit checkpoint signatures', () => {
  it('verify with the signing key, and fail once any signed field changes', () => {
    const keys = loadAuditKeys({ AUDIT_SIGNING_KEY: newAuditSigningKey() });
    const checkpoint = signAuditCheckpoint(fields, keys.signer);
    expect(checkpoint.key_id).toMatch(/^[0-9a-f]{16}$/);
    expect(checkAuditCheckpointSignature(checkpoint, keys.trusted)).toBe('valid');
    for (const changed of [
      { sequence: 41 },
      { hash: 'b'.repeat(64) },
      { company_id: '0197a000-0000-7000-8000-000000000002' },
      { service: 'approval' as const },
      { signed_at: '2026-12-07T17:00:01.000Z' },
    ]) {
      expect(checkAuditCheckpointSignature({ ...checkpoint, ...changed }, keys.trusted)).toBe(
        'signature_invalid',
      );
    }
  });

  it('name a key it does not trust, and trust a rotated-out key listed in AUDIT_TRUSTED_KEYS', () => {
    const old = newAuditSigningKey();
    const checkpoint = signAuditCheckpoint(
      fields,
      loadAuditKeys({ AUDIT_SIGNING_KEY: old }).signer,
    );
    const rotated = loadAuditKeys({ AUDIT_SIGNING_KEY: newAuditSigningKey() });
    expect(checkAuditCheckpointSignature(checkpoint, rotated.trusted)).toBe('unknown_key');
    const trusting = loadAuditKeys({
      AUDIT_SIGNING_KEY: newAuditSigningKey(),
      AUDIT_TRUSTED_KEYS: `${auditPublicKeyOf(newAuditSigningKey())},${auditPublicKeyOf(old)}`,
    });
    expect(checkAuditCheckpointSignature(checkpoint, trusting.trusted)).toBe('valid');
  });

  it('reads a PEM key as well as base64 DER, and refuses none or a non-Ed25519 key', () => {
    const pem = generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(loadAuditKeys({ AUDIT_SIGNING_KEY: pem }).signer.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(() => loadAuditKeys({})).toThrow(/AUDIT_SIGNING_KEY/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(() => loadAuditKeys({ AUDIT_SIGNING_KEY: rsa })).toThrow(/Ed25519/);
  });
});
