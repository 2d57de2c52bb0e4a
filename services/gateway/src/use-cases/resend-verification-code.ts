import type { AcceptedResponse } from '@countersign/contracts';
import { recordCodeRequest } from '../db/code-request-queries.js';
import type { CodeRequestDeps } from './request-password-reset.js';

/**
 * Asks for a new verification code (the old one stops working once it is issued). Queued
 * like a reset request (sendRequestedCodes): the same answer and the same work for every
 * address, so it reveals no account.
 */
export async function resendVerificationCode(
  deps: CodeRequestDeps,
  email: string,
): Promise<AcceptedResponse> {
  await recordCodeRequest(deps.db, { purpose: 'verify_email', email });
  deps.codeRequested();
  return { message: `If ${email.toLowerCase()} awaits verification, a new code is on its way.` };
}
