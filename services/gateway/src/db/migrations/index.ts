import type { Migration } from 'kysely';
import * as identity from './2026-11-23T1300-identity.js';

export const migrations: Record<string, Migration> = {
  '2026-11-23T1300-identity': identity,
};
