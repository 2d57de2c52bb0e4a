/**
 * Sign-in lockout rules. Only failed password checks count against an account (a request
 * refused before its check, or one naming the account on another route, does not), so
 * nobody can lock a person out by merely naming them. Past the limit, an address the
 * account signed in from before (a good record) is still let through: the owner at their
 * usual desk is not locked out by a stranger's guesses, and that address has its own
 * failure limit, so it cannot be used to guess on either.
 */
export interface SignInFailures {
  /** Failed password checks against the account in the window, this attempt included. */
  account: number;
  /** The same, counted from this client address only. */
  fromAddress: number;
  /** The account signed in successfully from this client address before. */
  knownAddress: boolean;
}

/** Whether this attempt is refused before its password is checked. */
export function signInLocked(failures: SignInFailures, maxFailures: number): boolean {
  if (failures.fromAddress > maxFailures) return true;
  return failures.account > maxFailures && !failures.knownAddress;
}

/** How many good addresses an account remembers (the most recent ones). */
export const REMEMBERED_SIGN_IN_ADDRESSES = 10;
/** A good address is forgotten when the account has not signed in from it for this long. */
export const SIGN_IN_ADDRESS_RETENTION_MS = 90 * 86_400_000;
