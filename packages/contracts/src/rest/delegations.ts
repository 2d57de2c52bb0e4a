import { z } from 'zod';
import { DecimalString, IsoDateTime, MoneyInput, Uuid } from '../common.js';

/** A calendar day (UTC), as delegations are bounded: `YYYY-MM-DD`, both ends inclusive. */
export const CalendarDate = z.iso.date().meta({ example: '2026-12-01' });

export const CreateDelegationRequest = z
  .object({
    delegate_id: Uuid.meta({ description: 'The colleague who will decide in your name' }),
    starts_on: CalendarDate,
    ends_on: CalendarDate,
    max_amount: MoneyInput.optional().meta({
      description: 'Only expenses up to this amount (inclusive); absent means any amount',
    }),
    categories: z
      .array(z.string().trim().min(1).max(100))
      .min(1)
      .max(50)
      .optional()
      .meta({ description: 'Only expenses routed by a policy of these categories' }),
  })
  .strict()
  .refine((d) => d.starts_on <= d.ends_on, {
    message: 'ends_on must be on or after starts_on',
    path: ['ends_on'],
  })
  .meta({ id: 'CreateDelegationRequest' });
export type CreateDelegationRequest = z.infer<typeof CreateDelegationRequest>;

export const Delegation = z
  .object({
    id: Uuid,
    delegator_id: Uuid,
    delegator_name: z.string(),
    delegate_id: Uuid,
    delegate_name: z.string(),
    starts_on: CalendarDate,
    ends_on: CalendarDate,
    max_amount: DecimalString.nullable(),
    categories: z.array(z.string()).nullable(),
    created_at: IsoDateTime,
    revoked_at: IsoDateTime.nullable(),
  })
  .meta({ id: 'Delegation' });
export type Delegation = z.infer<typeof Delegation>;

export const DelegationList = z
  .object({
    given: z.array(Delegation).meta({ description: 'Delegations you gave' }),
    received: z.array(Delegation).meta({ description: 'Delegations you received' }),
    company: z
      .array(Delegation)
      .optional()
      .meta({ description: "Admins only: all of the company's delegations" }),
  })
  .meta({ id: 'DelegationList' });
export type DelegationList = z.infer<typeof DelegationList>;

export const DelegationIdParam = z.object({ id: Uuid });

export const RevokeDelegationRequest = z
  .object({ reason: z.string().trim().min(1).max(500).optional() })
  .strict()
  .meta({ id: 'RevokeDelegationRequest' });
export type RevokeDelegationRequest = z.infer<typeof RevokeDelegationRequest>;
