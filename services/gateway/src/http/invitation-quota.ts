import { type ServiceEnv, TooManyRequestsError } from '@countersign/platform';
import type { MiddlewareHandler } from 'hono';
import type { Kysely } from 'kysely';
import type { IdentityDatabase } from '../db/types.js';
import { takeInvitationSlot } from '../use-cases/take-invitation-slot.js';

export interface InvitationQuota {
  db: Kysely<IdentityDatabase>;
  /** Invitations per company per UTC day (INVITATIONS_PER_COMPANY_PER_DAY). */
  perCompanyPerDay: number;
}

/**
 * The daily invitation quota of the caller's company, on the routes that e-mail an
 * address an admin typed: adding a person (`POST /api/users`, an invitation) and changing
 * someone's e-mail address (`PATCH /api/users/{id}` with `email`: a code or a new
 * invitation goes there). Over it: 429 with Retry-After (until the next UTC midnight). A
 * request the service refuses (not 2xx) gives its slot back.
 */
export function limitInvitations(quota: InvitationQuota): MiddlewareHandler<ServiceEnv> {
  return async (c, next) => {
    if (c.req.method === 'PATCH' && !(await namesEmail(c.req.raw.clone()))) return next();
    const slot = await takeInvitationSlot(
      quota.db,
      c.var.caller.company_id,
      quota.perCompanyPerDay,
    );
    if (!slot.allowed) {
      throw new TooManyRequestsError(
        `your company has sent its ${quota.perCompanyPerDay} invitations for today; try again in ${slot.retryAfterSeconds} s`,
        slot.retryAfterSeconds,
      );
    }
    await next();
    if (c.res.status < 200 || c.res.status >= 300) await slot.giveBack();
  };
}

/** Whether the JSON body has an `email` field; the service validates the body itself. */
async function namesEmail(request: Request): Promise<boolean> {
  try {
    const body: unknown = await request.json();
    return typeof body === 'object' && body !== null && 'email' in body;
  } catch {
    return false;
  }
}
