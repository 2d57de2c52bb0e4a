import { z } from 'zod';
import { IsoDateTime, Uuid } from '../common.js';
import { envelopeOf } from './envelope.js';

/** Why a person's access tokens stopped being good before their natural expiry. */
export const AccessRevocationReason = z.enum([
  'deactivated',
  'role_changed',
  'email_changed',
  'password_changed',
  'password_reset',
  'signed_out_everywhere',
]);
export type AccessRevocationReason = z.infer<typeof AccessRevocationReason>;

/**
 * Every access token of one person issued at or before `not_before` is refused from now on,
 * by every service (see RevocationFeed). Published by the gateway through its outbox in
 * the transaction that deactivated, demoted or signed the person out; the envelope's
 * `subject` is the user id.
 */
export const AccessRevokedV1 = envelopeOf(
  'AccessRevoked',
  1,
  z.object({
    company_id: Uuid,
    user_id: Uuid,
    not_before: IsoDateTime.meta({
      description:
        "Tokens issued at or before this (`iat`, which carries milliseconds) are refused; the gateway's clock",
    }),
    reason: AccessRevocationReason,
  }),
);
export type AccessRevokedV1 = z.infer<typeof AccessRevokedV1>;
