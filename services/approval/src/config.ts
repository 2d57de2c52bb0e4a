import { BaseConfig, loadConfig } from '@countersign/platform';
import { z } from 'zod';

/** Every setting the service reads from its environment (the deployment tests check keys against it). */
export const configSchema = BaseConfig.extend({
  PORT: z.coerce.number().int().default(4102),
  SEED_DEMO: z.stringbool().default(false),
  /** A pending step escalates this many hours after it was requested; 0 turns escalation off. */
  ESCALATION_AFTER_HOURS: z.coerce.number().min(0).max(8760).default(48),
  /** How often the escalation timer looks for due deadlines. */
  ESCALATION_CHECK_INTERVAL_MS: z.coerce.number().int().min(50).max(3_600_000).default(30_000),
});

export const config = loadConfig(configSchema);
export type Config = typeof config;
