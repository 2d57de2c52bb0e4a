import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KekError, kekFromBase64, sealPrivateKey, unsealPrivateKey } from './key-sealing.js';

const kek = kekFromBase64(randomBytes(32).toString('base64'));
const other = kekFromBase64(randomBytes(32).toString('base64'));
const jwk = { kty: 'OKP', crv: 'Ed25519', x: 'public-half', d: 'private-half', kid: 'k1' };

describe('signing-key sealing', () => {
  it('opens what it sealed, and the sealed text holds no part of the key', () => {
    const sealed = sealPrivateKey(jwk, 'k1', kek);
    expect(sealed).not.toContain('private-half');
    expect(unsealPrivateKey(sealed, 'k1', kek.id, { current: kek, previous: [] })).toEqual(jwk);
  });

  it('opens a key sealed with a previous KEK', () => {
    const sealed = sealPrivateKey(jwk, 'k1', other);
    expect(unsealPrivateKey(sealed, 'k1', other.id, { current: kek, previous: [other] })).toEqual(
      jwk,
    );
  });

  it('names the KEK a key needs when it is not given', () => {
    const sealed = sealPrivateKey(jwk, 'k1', other);
    expect(() => unsealPrivateKey(sealed, 'k1', other.id, { current: kek, previous: [] })).toThrow(
      new RegExp(`sealed with KEK ${other.id}, but SIGNING_KEY_KEK is ${kek.id}`),
    );
  });

  it('refuses a wrong key under the right id, an altered text, or another row’s key', () => {
    const sealed = sealPrivateKey(jwk, 'k1', kek);
    const impostor = { ...other, id: kek.id };
    expect(() =>
      unsealPrivateKey(sealed, 'k1', kek.id, { current: impostor, previous: [] }),
    ).toThrow(KekError);
    const altered = `${sealed.slice(0, -2)}${sealed.endsWith('A') ? 'B' : 'A'}${sealed.slice(-1)}`;
    expect(() => unsealPrivateKey(altered, 'k1', kek.id, { current: kek, previous: [] })).toThrow(
      /does not open/,
    );
    expect(() => unsealPrivateKey(sealed, 'k2', kek.id, { current: kek, previous: [] })).toThrow(
      /does not open/,
    );
  });

  it('takes only a 32-byte KEK', () => {
    expect(() => kekFromBase64(randomBytes(16).toString('base64'))).toThrow(/32 bytes/);
  });
});
