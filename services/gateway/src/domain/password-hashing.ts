import { hash, verify } from '@node-rs/argon2';
import type { ConcurrencyLimit } from './concurrency-limit.js';

// Algorithm.Argon2id; the package exports it as an ambient const enum.
const ARGON2ID = 2;

/** argon2id above OWASP's minimum (19 MiB, 2 iterations, 1 lane). */
export const argon2Options = {
  algorithm: ARGON2ID,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, argon2Options);
}

export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return verify(passwordHash, password);
}

/** What a PasswordHasher was asked to do, counted (tests and /metrics read it). */
export type PasswordWork = 'hash' | 'verify';

/**
 * The account routes' argon2: every hash and verification waits for a slot of one shared
 * ConcurrencyLimit, so a flood of sign-ups, resets or sign-ins queues (and past the
 * queue, is refused) instead of occupying every core. Use cases call it only after their
 * cheap checks (body, rate limits, code), so a request that fails those never costs a hash.
 */
export class PasswordHasher {
  private readonly counts: Record<PasswordWork, number> = { hash: 0, verify: 0 };
  /** A hash of a password nobody has, verified against where there is no real one. */
  private decoy: Promise<string> | undefined;

  constructor(
    private readonly limit: ConcurrencyLimit,
    /** Told of each hash and verification as it starts (`/metrics`). */
    private readonly onWork: (work: PasswordWork) => void = () => undefined,
  ) {}

  hash(password: string): Promise<string> {
    return this.limit.run(() => {
      this.count('hash');
      return hashPassword(password);
    });
  }

  verify(passwordHash: string, password: string): Promise<boolean> {
    return this.limit.run(() => {
      this.count('verify');
      return verifyPassword(passwordHash, password);
    });
  }

  /**
   * The same work as `verify` where there is no hash to check against (an unknown address),
   * so both answers take the same time; always false.
   */
  async verifyDecoy(password: string): Promise<false> {
    this.decoy ??= hashPassword('countersign-decoy-password');
    await this.verify(await this.decoy, password);
    return false;
  }

  /** Hashes and verifications done so far. */
  done(work: PasswordWork): number {
    return this.counts[work];
  }

  private count(work: PasswordWork): void {
    this.counts[work] += 1;
    this.onWork(work);
  }
}
