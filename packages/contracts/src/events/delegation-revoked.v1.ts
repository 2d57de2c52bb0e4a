import { z } from 'zod';
import { IsoDateTime, Uuid } from '../common.js';
import { envelopeOf } from './envelope.js';

/** A delegation ended before its last day, by its delegator or an admin. */
export const DelegationRevokedV1 = envelopeOf(
  'DelegationRevoked',
  1,
  z.object({
    delegation_id: Uuid,
    delegator_id: Uuid,
    delegate_id: Uuid,
    revoked_by: Uuid,
    revoked_at: IsoDateTime,
  }),
);
export type DelegationRevokedV1 = z.infer<typeof DelegationRevokedV1>;
