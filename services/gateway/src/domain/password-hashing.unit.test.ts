import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from './password-hashing.js';

/** OWASP Password Storage Cheat Sheet, argon2id minimum: 19 MiB, 2 iterations, 1 lane. */
const OWASP_MINIMUM = { memoryKiB: 19_456, iterations: 2, parallelism: 1 };

describe('password hashing', () => {
  it('stores argon2id hashes at or above the OWASP minimum, read from the hash itself', async () => {
    const encoded = await hashPassword('correct horse battery staple');
    const match = /^\$(argon2(?:id|i|d))\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$[^$]+\$[^$]+$/.exec(
      encoded,
    );
    expect(match, `not a PHC argon2 string: ${encoded}`).not.toBeNull();
    const [, algorithm, version, m, t, p] = match ?? [];
    expect(algorithm).toBe('argon2id');
    expect(Number(version)).toBe(19);
    expect(Number(m)).toBeGreaterThanOrEqual(OWASP_MINIMUM.memoryKiB);
    expect(Number(t)).toBeGreaterThanOrEqual(OWASP_MINIMUM.iterations);
    expect(Number(p)).toBeGreaterThanOrEqual(OWASP_MINIMUM.parallelism);
  });

  it('verifies the right password and refuses a wrong one', async () => {
    const encoded = await hashPassword('s3cret-passphrase');
    expect(await verifyPassword(encoded, 's3cret-passphrase')).toBe(true);
    expect(await verifyPassword(encoded, 's3cret-passphrasE')).toBe(false);
  });
});
