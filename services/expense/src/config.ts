import { BaseConfig, loadConfig } from '@countersign/platform';
import { z } from 'zod';

export const config = loadConfig(
  BaseConfig.extend({
    PORT: z.coerce.number().int().default(4101),
    APPROVAL_URL: z.string().default('http://127.0.0.1:4102'),
    /** Loads TechCorp's base currency, categories and vendors (the demo of seed 001). */
    SEED_DEMO: z.stringbool().default(false),
  }),
);
