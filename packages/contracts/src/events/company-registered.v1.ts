import { z } from 'zod';
import { Uuid } from '../common.js';
import { envelopeOf } from './envelope.js';

/**
 * Someone registered a new company and verified their e-mail address; they are its first
 * admin. The approval service builds the company's directory from this.
 */
export const CompanyRegisteredV1 = envelopeOf(
  'CompanyRegistered',
  1,
  z.object({
    company_id: Uuid,
    company_name: z.string().min(1),
    admin: z.object({ user_id: Uuid, name: z.string().min(1), email: z.email() }),
  }),
);
export type CompanyRegisteredV1 = z.infer<typeof CompanyRegisteredV1>;
