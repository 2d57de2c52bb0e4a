import { z } from 'zod';
import { IsoDateTime } from '../common.js';
import { envelopeOf } from './envelope.js';

/**
 * A token-signing key was withdrawn before its time (`npm run keys:rotate -- --now`: it
 * may have leaked). Every service refuses tokens it signed from now on, also ones it had
 * already verified, and the gateway stops publishing it in the JWKS. Deployment-wide: the
 * envelope's `company_id` is the nil UUID and its `subject` the kid.
 */
export const SigningKeyWithdrawnV1 = envelopeOf(
  'SigningKeyWithdrawn',
  1,
  z.object({
    kid: z.string().min(1),
    withdrawn_at: IsoDateTime,
    /** The key that signs instead, already published. */
    replaced_by: z.string().min(1),
  }),
);
export type SigningKeyWithdrawnV1 = z.infer<typeof SigningKeyWithdrawnV1>;
