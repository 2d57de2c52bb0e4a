// Database logins and the signing-key KEK for clusters started on this machine (`npm start`,
// the e2e TestCluster): generated once per checkout into .data/local-secrets.json.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { MIGRATOR_ROLE, provisionDatabaseRoles, serviceRoleOf } from '@countersign/platform';
import type { ServiceName } from './cluster.js';

/** Each service's schema; its login is countersign_<schema>. */
export const serviceSchemas: Record<ServiceName, string> = {
  gateway: 'identity',
  expense: 'expense',
  approval: 'approval',
  notification: 'notification',
};

export interface LocalSecrets {
  migratorPassword: string;
  servicePasswords: Record<ServiceName, string>;
  /** SIGNING_KEY_KEK: base64 of 32 random bytes. */
  signingKeyKek: string;
}

const secretsPath = join(import.meta.dirname, '..', '.data', 'local-secrets.json');
const generate = () => randomBytes(24).toString('hex');

/**
 * Kept between runs: the KEK must stay to decrypt the signing keys it sealed, and the
 * passwords are shared by every cluster on this PostgreSQL (roles are cluster-wide).
 */
export function localSecrets(path = secretsPath): LocalSecrets {
  const stored: Partial<LocalSecrets> = existsSync(path)
    ? (JSON.parse(readFileSync(path, 'utf8')) as Partial<LocalSecrets>)
    : {};
  const secrets: LocalSecrets = {
    migratorPassword: stored.migratorPassword ?? generate(),
    servicePasswords: {
      gateway: stored.servicePasswords?.gateway ?? generate(),
      expense: stored.servicePasswords?.expense ?? generate(),
      approval: stored.servicePasswords?.approval ?? generate(),
      notification: stored.servicePasswords?.notification ?? generate(),
    },
    signingKeyKek: stored.signingKeyKek ?? randomBytes(32).toString('base64'),
  };
  if (JSON.stringify(secrets) !== JSON.stringify(stored)) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  }
  return secrets;
}

/** `databaseUrl` with another user and password (same server, database and options). */
export function loginUrl(databaseUrl: string, user: string, password: string): string {
  const url = new URL(databaseUrl);
  url.username = encodeURIComponent(user);
  url.password = encodeURIComponent(password);
  return url.toString();
}

/**
 * Creates the migrator and the service logins (as `adminUrl`'s superuser) and returns each
 * service's database settings: its own login as DATABASE_URL, the migrator's as
 * MIGRATION_DATABASE_URL (services started here migrate at start, as before).
 */
export async function prepareDatabaseLogins(
  adminUrl: string,
  databaseUrl: string,
  secrets: LocalSecrets,
): Promise<Record<ServiceName, Record<string, string>>> {
  const database = new URL(databaseUrl).pathname.slice(1);
  const services = Object.keys(serviceSchemas) as ServiceName[];
  await provisionDatabaseRoles({
    adminUrl,
    database,
    passwords: {
      migrator: secrets.migratorPassword,
      services: Object.fromEntries(
        services.map((name) => [serviceSchemas[name], secrets.servicePasswords[name]]),
      ),
    },
  });
  const migrationUrl = loginUrl(databaseUrl, MIGRATOR_ROLE, secrets.migratorPassword);
  const env = (name: ServiceName) => ({
    DATABASE_URL: loginUrl(
      databaseUrl,
      serviceRoleOf(serviceSchemas[name]),
      secrets.servicePasswords[name],
    ),
    MIGRATION_DATABASE_URL: migrationUrl,
  });
  return {
    gateway: env('gateway'),
    expense: env('expense'),
    approval: env('approval'),
    notification: env('notification'),
  };
}
