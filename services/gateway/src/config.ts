import { BaseConfig, loadConfig } from '@countersign/platform';
import { z } from 'zod';

export const config = loadConfig(
  BaseConfig.extend({
    PORT: z.coerce.number().int().default(4000),
    EXPENSE_URL: z.string().default('http://127.0.0.1:4101'),
    APPROVAL_URL: z.string().default('http://127.0.0.1:4102'),
    NOTIFICATION_URL: z.string().default('http://127.0.0.1:4103'),
    ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(3600).default(900),
    REFRESH_TOKEN_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(300)
      .max(90 * 86_400)
      .default(14 * 86_400),
    /** Where account mail (codes, invitations) goes; `npm start` runs a local sink here. */
    SMTP_URL: z.string().default('smtp://127.0.0.1:2525'),
    MAIL_FROM: z.string().default('Countersign <no-reply@countersign.local>'),
    SEED_DEMO: z.stringbool().default(false),
  }),
);
export type GatewayConfig = typeof config;
