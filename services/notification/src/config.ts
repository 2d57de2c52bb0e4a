import { BaseConfig, loadConfig } from '@countersign/platform';
import { z } from 'zod';

export const config = loadConfig(
  BaseConfig.extend({
    PORT: z.coerce.number().int().default(4103),
  }),
);
