import { BaseConfig, loadConfig } from '@countersign/platform';
import { z } from 'zod';

export const config = loadConfig(
  BaseConfig.extend({
    PORT: z.coerce.number().int().default(4103),
    /** Where notification mail goes; `npm start` runs a local sink here, as for the gateway. */
    SMTP_URL: z.string().default('smtp://127.0.0.1:2525'),
    MAIL_FROM: z.string().default('Countersign <no-reply@countersign.local>'),
  }),
);
