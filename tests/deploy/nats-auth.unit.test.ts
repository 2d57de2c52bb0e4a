import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditCheckpointStream, DurableConsumers, EventCatalogue } from '@countersign/contracts';
import {
  natsPassword,
  natsPasswordVariable,
  natsPermissions,
  natsServices,
} from '@countersign/platform';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  natsAuthConfPath,
  natsAuthorizationConfig,
  natsHelmAuthValues,
  natsHelmAuthValuesPath,
  natsUsersSecret,
  repoRoot,
} from '../../scripts/nats-auth.js';

const read = (path: string) => readFileSync(path, 'utf8');

describe('the NATS users and permissions', () => {
  it('deploy/nats-auth.conf and the Helm values are generated from the permission table (run npm run nats:auth)', () => {
    expect(read(natsAuthConfPath)).toBe(natsAuthorizationConfig());
    expect(read(natsHelmAuthValuesPath)).toBe(natsHelmAuthValues());
  });

  it("a service publishes only its own events, and acks only its own durables' messages", () => {
    for (const service of natsServices) {
      const { publish, subscribe } = natsPermissions(service);
      const checkpoints: string = AuditCheckpointStream.publishers[service];
      expect(publish).toContain(checkpoints);
      const events = publish.filter(
        (subject) => subject.startsWith('countersign.') && subject !== checkpoints,
      );
      for (const subject of events) {
        const producer = Object.values(EventCatalogue).find((entry) => entry.subject === subject);
        if (!producer)
          expect(service, subject).toBe('notification'); // the feed
        else expect(producer.producer, subject).toBe(service);
      }
      const own = DurableConsumers[service].map((entry) => entry.durable);
      for (const ack of publish.filter((subject) => subject.startsWith('$JS.ACK.'))) {
        expect(own).toContain(ack.split('.')[3]);
      }
      expect(publish.some((subject) => subject.includes('>') && !subject.includes('.>'))).toBe(
        false,
      );
      expect(publish).not.toContain('>');
      expect(publish.filter((subject) => /STREAM\.(DELETE|PURGE)/.test(subject))).toEqual([]);
      expect(subscribe).toEqual([`_INBOX_${service}.>`]);
    }
  });

  it('deploy/nats.conf has no anonymous access and monitoring on loopback only', () => {
    const conf = read(join(repoRoot, 'deploy/nats.conf'));
    expect(conf).toMatch(/^include \.\/nats-auth\.conf$/m);
    expect(conf).toMatch(/^http: 127\.0\.0\.1:8222$/m);
    expect(conf).not.toMatch(/^\s*(http_port|no_auth_user)\b/m);
  });

  it('docker-compose gives the server every password and each service its own', () => {
    const compose = parse(read(join(repoRoot, 'docker-compose.yml'))) as {
      services: Record<string, { environment?: Record<string, string>; volumes?: string[] }>;
    };
    const nats = compose.services.nats;
    expect(nats?.volumes).toContain('./deploy/nats-auth.conf:/etc/nats/nats-auth.conf:ro');
    for (const user of [...natsServices, 'admin']) {
      expect(Object.keys(nats?.environment ?? {})).toContain(natsPasswordVariable(user));
    }
    for (const service of natsServices) {
      expect(compose.services[service]?.environment?.NATS_PASSWORD).toContain(
        natsPasswordVariable(service),
      );
    }
  });

  it('in Kubernetes each service reads its own password from the NATS users Secret', () => {
    for (const service of natsServices) {
      const text = read(join(repoRoot, `deploy/k8s/base/${service}.yaml`));
      expect(text).toContain(`secretKeyRef: { name: ${natsUsersSecret}, key: ${service} }`);
    }
    const values = parse(read(join(repoRoot, 'deploy/k8s/nats/values.yaml'))) as {
      service?: { ports?: { monitor?: { enabled?: boolean } } };
    };
    expect(values.service?.ports?.monitor?.enabled).toBe(false);
  });

  it('generated passwords are read by nats-server as strings', () => {
    for (let i = 0; i < 50; i++) expect(natsPassword()).toMatch(/^[a-z][0-9a-f]{48}$/);
  });
});
