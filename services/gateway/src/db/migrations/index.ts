import type { Migration } from 'kysely';
import * as identity from './2026-11-23T1300-identity.js';
import * as fiveRoles from './2026-11-24T0900-five-roles.js';
import * as signingKeyActivation from './2026-11-24T1500-signing-key-activation.js';
import * as rateLimitCounter from './2026-11-24T1501-rate-limit-counter.js';

export const migrations: Record<string, Migration> = {
  '2026-11-23T1300-identity': identity,
  '2026-11-24T0900-five-roles': fiveRoles,
  '2026-11-24T1500-signing-key-activation': signingKeyActivation,
  '2026-11-24T1501-rate-limit-counter': rateLimitCounter,
};
