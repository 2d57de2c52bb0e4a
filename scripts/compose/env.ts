// `npm run compose:env [-- --standins] [KEY=VALUE ...]`: writes the .env docker-compose
// reads. Secrets are generated once (random) and kept on later runs; --standins points
// every *_IMAGE variable at the offline stand-ins of scripts/compose/base-images.sh.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  natsAdminUser,
  natsPassword,
  natsPasswordVariable,
  natsServices,
} from '@countersign/platform';

export const repoRoot = join(import.meta.dirname, '..', '..');

/** The stand-in tags base-images.sh builds; the node one follows the host's major version. */
export function standinImages(): Record<string, string> {
  const nodeMajor = process.versions.node.split('.')[0];
  return {
    NODE_IMAGE: `countersign-standin/node:${nodeMajor}-bookworm`,
    POSTGRES_IMAGE: 'countersign-standin/postgres:15',
    NATS_IMAGE: 'countersign-standin/nats:2.9',
    PROMETHEUS_IMAGE: 'countersign-standin/prometheus:2.42',
    OTEL_COLLECTOR_IMAGE: 'countersign-standin/otel-collector:local',
    JAEGER_IMAGE: 'countersign-standin/jaeger:local',
  };
}

/** Generated on first write and never replaced: data volumes were initialised with them. */
function generatedSecrets(): Record<string, string> {
  const password = () => randomBytes(24).toString('hex');
  const secrets: Record<string, string> = {
    POSTGRES_PASSWORD: password(),
    // The database logins (deploy/postgres/init-roles.sh creates them on first start).
    MIGRATOR_DB_PASSWORD: password(),
    GATEWAY_DB_PASSWORD: password(),
    EXPENSE_DB_PASSWORD: password(),
    APPROVAL_DB_PASSWORD: password(),
    NOTIFICATION_DB_PASSWORD: password(),
    // Seals the gateway's signing keys at rest; losing it ends every session.
    SIGNING_KEY_KEK: randomBytes(32).toString('base64'),
    // The demo logins' password, used only with COUNTERSIGN_DEMO=true.
    DEMO_PASSWORD: password(),
    // Each service's audit checkpoint key (base64 PKCS#8 DER: one line); kept, so earlier
    // checkpoints still verify.
    AUDIT_SIGNING_KEY_GATEWAY: newAuditSigningKey(),
    AUDIT_SIGNING_KEY_EXPENSE: newAuditSigningKey(),
    AUDIT_SIGNING_KEY_APPROVAL: newAuditSigningKey(),
    AUDIT_SIGNING_KEY_NOTIFICATION: newAuditSigningKey(),
  };
  // One NATS password per service and one for operators (deploy/nats-auth.conf).
  for (const user of [...natsServices, natsAdminUser]) {
    secrets[natsPasswordVariable(user)] = natsPassword();
  }
  return secrets;
}

function newAuditSigningKey(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  return privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
}

export function parseEnvFile(text: string): Map<string, string> {
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = line.match(/^\s*([A-Z][A-Z0-9_]*)=(.*)$/);
    if (match?.[1] !== undefined) values.set(match[1], match[2] ?? '');
  }
  return values;
}

export interface ComposeEnvOptions {
  standins?: boolean;
  /** Set as given, over what the file holds (ports, images). */
  overrides?: Record<string, string>;
}

/** Writes (or completes) an env file for docker-compose; returns the variables it holds. */
export function writeComposeEnv(
  path: string,
  options: ComposeEnvOptions = {},
): Map<string, string> {
  const values = existsSync(path) ? parseEnvFile(readFileSync(path, 'utf8')) : new Map();
  for (const [key, value] of Object.entries(generatedSecrets())) {
    if (!values.get(key)) values.set(key, value);
  }
  const overrides = { ...(options.standins ? standinImages() : {}), ...options.overrides };
  for (const [key, value] of Object.entries(overrides)) values.set(key, value);
  const lines = [
    '# docker-compose settings, written by `npm run compose:env`. Keep this file private:',
    '# it holds the generated secrets. Unset variables take docker-compose.yml defaults.',
    ...[...values].map(([key, value]) => `${key}=${value}`),
  ];
  writeFileSync(path, `${lines.join('\n')}\n`, { mode: 0o600 });
  return values;
}

function main(args: string[]): void {
  const overrides = Object.fromEntries(
    args.filter((arg) => arg.includes('=')).map((arg) => arg.split(/=(.*)/s).slice(0, 2)),
  );
  const path = join(repoRoot, '.env');
  const existed = existsSync(path);
  writeComposeEnv(path, { standins: args.includes('--standins'), overrides });
  console.log(`${existed ? 'updated' : 'wrote'} ${path}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(process.argv.slice(2));
