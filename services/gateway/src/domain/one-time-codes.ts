import { generate, generateSecret, verify } from 'otplib';

/** What a one-time code proves when it is used. */
export type CodePurpose = 'verify_email' | 'reset_password' | 'invitation';

/** Wrong guesses allowed per code; the code is dead after the last one. */
export const MAX_CODE_ATTEMPTS = 5;
/** Codes that may be requested per account per hour, so a locked-out guesser cannot simply ask for more. */
export const MAX_CODES_PER_HOUR = 5;

const minutes = (n: number) => n * 60_000;

/** E-mailed codes prove control of an address for a short time; invitations wait for the invitee. */
export const codeLifetimeMs: Record<CodePurpose, number> = {
  verify_email: minutes(10),
  reset_password: minutes(10),
  invitation: minutes(72 * 60),
};

/** A registration nobody verified within this time is deleted, and its address is free. */
export const REGISTRATION_LIFETIME_MS = minutes(24 * 60);

export interface StoredCode {
  secret: string;
  attempts: number;
  expiresAt: Date;
  consumedAt: Date | null;
}

export type CodeCheck = 'valid' | 'wrong' | 'expired' | 'used' | 'locked';

/**
 * A fresh code: an HOTP value (RFC 4226) of a random per-code secret, so only the secret
 * is stored and the six digits exist only in the e-mail.
 */
export async function newCode(): Promise<{ secret: string; code: string }> {
  const secret = generateSecret();
  return { secret, code: await generate({ secret, strategy: 'hotp', counter: 0 }) };
}

/**
 * Decides a guess. Order matters: a spent, expired or exhausted code is refused before the
 * guess is compared, so a correct guess after the fifth wrong one still fails. The
 * comparison itself is otplib's constant-time one.
 */
export async function checkCode(stored: StoredCode, guess: string, now: Date): Promise<CodeCheck> {
  if (stored.consumedAt) return 'used';
  if (stored.expiresAt.getTime() <= now.getTime()) return 'expired';
  if (stored.attempts >= MAX_CODE_ATTEMPTS) return 'locked';
  const result = await verify({
    secret: stored.secret,
    token: guess,
    strategy: 'hotp',
    counter: 0,
  });
  return result.valid ? 'valid' : 'wrong';
}
