import { BaseConfig, loadConfig } from '@countersign/platform';
import { z } from 'zod';

export const config = loadConfig(
  BaseConfig.extend({
    PORT: z.coerce.number().int().default(4102),
    SEED_DEMO: z.stringbool().default(false),
  }),
);
export type Config = typeof config;
