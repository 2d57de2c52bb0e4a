import type { AcceptedResponse } from '@countersign/contracts';
import type { Kysely } from 'kysely';
import { recordCodeRequest } from '../db/code-request-queries.js';
import type { IdentityDatabase } from '../db/types.js';

export interface CodeRequestDeps {
  db: Kysely<IdentityDatabase>;
  /** Wakes the sender of requested codes after the request is stored. */
  codeRequested: () => void;
}

/**
 * Asks for a reset code to be e-mailed. The request is only queued (one insert, the same
 * for every address): whether the address has an account, and the code and its mail, are
 * dealt with off the request path (sendRequestedCodes), so neither the answer nor its
 * timing says whether the address has an account.
 */
export async function requestPasswordReset(
  deps: CodeRequestDeps,
  email: string,
): Promise<AcceptedResponse> {
  await recordCodeRequest(deps.db, { purpose: 'reset_password', email });
  deps.codeRequested();
  return {
    message: `If ${email.toLowerCase()} has an account, a reset code is on its way to it.`,
  };
}
