import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * Issue 14, item 9: docker-compose.yml publishes nothing beyond this machine, carries no
 * password of its own (every one comes from the generated .env), runs each service as its
 * own database login, and seeds the demo company, whose password is published, only when
 * asked.
 */
interface ComposeService {
  ports?: (string | { host_ip?: string })[];
  environment?: Record<string, string | number | boolean | null>;
}
const compose = parse(readFileSync(join(import.meta.dirname, '../../docker-compose.yml'), 'utf8'), {
  merge: true,
}) as { services: Record<string, ComposeService> };
const services = Object.entries(compose.services);
const appServices = ['gateway', 'expense', 'approval', 'notification'];

describe('docker-compose.yml', () => {
  it.each(services)('%s publishes ports on 127.0.0.1 only', (_name, service) => {
    for (const port of service.ports ?? []) {
      if (typeof port === 'string') expect(port).toMatch(/^127\.0\.0\.1:/);
      else expect(port.host_ip).toBe('127.0.0.1');
    }
  });

  it.each(services)('%s holds no literal password, secret or key', (_name, service) => {
    for (const [key, raw] of Object.entries(service.environment ?? {})) {
      const value = String(raw ?? '');
      if (/PASSWORD|SECRET|KEK|TOKEN/.test(key)) expect(value, key).toMatch(/^\$\{[A-Z_]+/);
      // A URL's user:password@ takes its password from a variable too.
      const credentials = value.match(/\/\/[^/:@]+:([^@]*)@/);
      if (credentials) expect(credentials[1], key).toMatch(/^\$\{[A-Z_]+/);
    }
  });

  it.each(appServices)('%s logs in as its own role, the migrator only migrates', (name) => {
    const environment = compose.services[name]?.environment ?? {};
    const schema = name === 'gateway' ? 'identity' : name;
    expect(String(environment.DATABASE_URL)).toMatch(
      new RegExp(`^postgres://countersign_${schema}:\\$\\{`),
    );
    expect(String(environment.MIGRATION_DATABASE_URL)).toMatch(
      /^postgres:\/\/countersign_migrator:/,
    );
  });

  it('seeds the demo only when asked, with a generated password', () => {
    for (const name of appServices) {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's own syntax
      const optIn = '${COUNTERSIGN_DEMO:-false}';
      expect(String(compose.services[name]?.environment?.SEED_DEMO)).toBe(optIn);
    }
    expect(String(compose.services.gateway?.environment?.DEMO_PASSWORD)).toMatch(
      /^\$\{DEMO_PASSWORD/,
    );
    expect(String(compose.services.gateway?.environment?.SIGNING_KEY_KEK)).toMatch(
      /^\$\{SIGNING_KEY_KEK/,
    );
  });
});
