import { BaseConfig, loadConfig } from '@countersign/platform';
import { z } from 'zod';

export const config = loadConfig(
  BaseConfig.extend({
    PORT: z.coerce.number().int().default(4103),
    /** Where notification mail goes; `npm start` runs a local sink here, as for the gateway. */
    SMTP_URL: z.string().default('smtp://127.0.0.1:2525'),
    MAIL_FROM: z.string().default('Countersign <no-reply@countersign.local>'),
    /** The UTC hour (0-23) from which approvers who chose it get their daily digest. */
    DIGEST_HOUR_UTC: z.coerce.number().int().min(0).max(23).default(7),
    /** How often each replica looks for digests due. */
    DIGEST_POLL_MS: z.coerce.number().int().min(100).default(60_000),
  }),
);
