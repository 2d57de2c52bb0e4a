import { z } from 'zod';
import { DecimalString, Uuid } from '../common.js';
import { CalendarDate } from '../rest/delegations.js';
import { envelopeOf } from './envelope.js';

/** An approver let a colleague decide their steps in their name, for a range of days. */
export const ApprovalDelegatedV1 = envelopeOf(
  'ApprovalDelegated',
  1,
  z.object({
    delegation_id: Uuid,
    delegator_id: Uuid,
    delegator_name: z.string(),
    delegate_id: Uuid,
    delegate_name: z.string(),
    starts_on: CalendarDate,
    ends_on: CalendarDate,
    max_amount: DecimalString.nullable(),
    categories: z.array(z.string()).nullable(),
  }),
);
export type ApprovalDelegatedV1 = z.infer<typeof ApprovalDelegatedV1>;
