import type { Migration } from 'kysely';
import * as identity from './2026-11-23T1300-identity.js';
import * as fiveRoles from './2026-11-24T0900-five-roles.js';

export const migrations: Record<string, Migration> = {
  '2026-11-23T1300-identity': identity,
  '2026-11-24T0900-five-roles': fiveRoles,
};
