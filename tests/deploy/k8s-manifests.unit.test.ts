import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiRoutes, routesOwnedBy, servicePathOf } from '@countersign/contracts';
import { BaseConfig, createLogger, createServiceApp } from '@countersign/platform';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { natsUsersSecret } from '../../scripts/nats-auth.js';
import { configSchema as approvalSchema } from '../../services/approval/src/config.js';
import { configSchema as expenseSchema } from '../../services/expense/src/config.js';
import { configSchema as gatewaySchema } from '../../services/gateway/src/config.js';
import { configSchema as notificationSchema } from '../../services/notification/src/config.js';
import {
  containersOf,
  type K8sObject,
  type Rendered,
  readYamlDocuments,
  renderKustomization,
} from '../support/kustomize.js';

/**
 * deploy/k8s, checked against the code: every variable a container gets is a setting of
 * its service's config schema (and the whole environment parses), every probe path is a
 * route the service serves, ports agree with PORT, images go through kustomize `images:`,
 * and every Deployment has probes, resources, a PodDisruptionBudget and an autoscaler.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const k8sDir = join(root, 'deploy/k8s');
const overlays = ['dev', 'production'] as const;

type ServiceName = 'gateway' | 'expense' | 'approval' | 'notification';
const schemas: Record<ServiceName, z.ZodObject> = {
  gateway: gatewaySchema,
  expense: expenseSchema,
  approval: approvalSchema,
  notification: notificationSchema,
};
const serviceNames = Object.keys(schemas) as ServiceName[];

/** Read by OpenTelemetry from the environment, not by the config schema (platform/src/telemetry). */
const telemetryVariables = new Set([
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_TRACES_SAMPLER',
  'OTEL_TRACES_SAMPLER_ARG',
]);

/** Where Prometheus scrapes each service: its HTTP port, this path. */
const METRICS_PATH = '/metrics';

/** secrets.env is never committed: its example stands in for it. */
const secretsExample = join(k8sDir, 'secrets.env.example');
const readEnvFile = (path: string) =>
  readFileSync(path.endsWith('/secrets.env') ? secretsExample : path, 'utf8');

const render = (overlay: string): Rendered =>
  renderKustomization(join(k8sDir, 'overlays', overlay), { readEnvFile });

/** The GET paths a service answers: the shared shell's (healthz, readyz) and its contract's. */
function servedPaths(service: ServiceName): Set<string> {
  const shell = createServiceApp(createLogger('manifest-test', 'silent'), []);
  const paths = shell.routes
    .filter((route) => route.method === 'GET' && !route.path.includes('*'))
    .map((route) => route.path);
  const contract =
    service === 'gateway'
      ? apiRoutes.filter((route) => route.method === 'get').map((route) => route.path)
      : routesOwnedBy(service)
          .filter((route) => route.method === 'get')
          .map((route) => servicePathOf(route));
  return new Set([...paths, ...contract.filter((path) => !path.includes('{'))]);
}

/** The service a container runs, from its image's last path segment (`…/countersign/expense:1.2`). */
function serviceOfImage(image: string): ServiceName {
  const name = image
    .replace(/:[^/:]+$/, '')
    .split('/')
    .at(-1) as ServiceName;
  if (!serviceNames.includes(name)) throw new Error(`image ${image} is none of the services`);
  return name;
}

interface EnvSource {
  configMapRef?: { name: string };
  secretRef?: { name: string };
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: { name: string; key: string };
    secretKeyRef?: { name: string; key: string };
  };
}

/** A container's environment as the kubelet builds it: envFrom first, then env. */
function environmentOf(
  container: Record<string, unknown>,
  rendered: Rendered,
): Record<string, string> {
  const environment: Record<string, string> = {};
  const lookup = (kind: 'configMaps' | 'secrets', name: string) => {
    const data = rendered[kind].get(name);
    if (!data) throw new Error(`${String(container.name)}: no ${kind} ${name}`);
    return data;
  };
  for (const source of (container.envFrom ?? []) as EnvSource[]) {
    if (source.configMapRef)
      Object.assign(environment, lookup('configMaps', source.configMapRef.name));
    if (source.secretRef) Object.assign(environment, lookup('secrets', source.secretRef.name));
  }
  for (const variable of (container.env ?? []) as EnvVar[]) {
    const ref = variable.valueFrom?.configMapKeyRef ?? variable.valueFrom?.secretKeyRef;
    if (ref?.name === natsUsersSecret) {
      // Made by the operator, not by kustomize (the NATS release reads it too): see nats-auth.
      environment[variable.name] = `<${natsUsersSecret}/${ref.key}>`;
    } else if (ref) {
      const data = lookup(variable.valueFrom?.configMapKeyRef ? 'configMaps' : 'secrets', ref.name);
      const value = data[ref.key];
      if (value === undefined)
        throw new Error(`${variable.name}: ${ref.name} has no key ${ref.key}`);
      environment[variable.name] = value;
    } else {
      environment[variable.name] = variable.value ?? '';
    }
  }
  return environment;
}

interface Workload {
  object: K8sObject;
  container: Record<string, unknown>;
  service: ServiceName;
  environment: Record<string, string>;
}

function workloads(rendered: Rendered, kind: 'Deployment' | 'Job'): Workload[] {
  return rendered.objects
    .filter((object) => object.kind === kind)
    .flatMap((object) =>
      containersOf(object).map((container) => ({
        object,
        container,
        service: serviceOfImage(String(container.image)),
        environment: environmentOf(container, rendered),
      })),
    );
}

const find = (rendered: Rendered, kind: string, name: string) =>
  rendered.objects.find((object) => object.kind === kind && object.metadata.name === name);

type Labels = Record<string, string>;
interface DeploymentSpec {
  replicas?: number;
  selector: { matchLabels: Labels };
  template: {
    metadata: { labels: Labels; annotations?: Labels };
    spec: { securityContext?: { runAsNonRoot?: boolean } };
  };
}
interface HpaSpec {
  scaleTargetRef: { kind: string; name: string };
  minReplicas: number;
  maxReplicas: number;
  metrics?: { resource?: { name: string } }[];
}
interface ServiceSpec {
  selector?: Labels;
  ports: { port: number; targetPort: number | string }[];
}
interface Probe {
  httpGet?: { path: string; port: number | string };
}

/** An object's spec, read as the kind's shape (the manifests are checked, not trusted). */
const specOf = <Spec>(object: K8sObject | undefined): Spec | undefined =>
  object?.spec as Spec | undefined;

const selects = (selector: Labels, labels: Labels): boolean =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

/** One Deployment's container with its parsed config, as the checks below read it. */
interface Checked {
  where: string;
  rendered: Rendered;
  name: string;
  container: Record<string, unknown>;
  service: ServiceName;
  config: Record<string, unknown>;
  spec: DeploymentSpec;
  /** A port by number or by the container's name for it. */
  portNumber: (port: number | string) => number | undefined;
}

function environmentProblems(workload: Workload): {
  problems: string[];
  config?: Record<string, unknown>;
} {
  const where = `Deployment ${workload.object.metadata.name}`;
  const schema = schemas[workload.service];
  const problems = Object.keys(workload.environment)
    .filter((key) => !(key in schema.shape) && !telemetryVariables.has(key))
    .map((key) => `${where}: ${key} is not a setting of the ${workload.service} config schema`);
  const parsed = schema.safeParse(workload.environment);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      problems.push(`${where}: ${issue.path.join('.')}: ${issue.message}`);
    return { problems };
  }
  const config = parsed.data as Record<string, unknown>;
  // Defaults that are right on a laptop and wrong in a pod.
  if (config.HOST !== '0.0.0.0') problems.push(`${where}: HOST must be 0.0.0.0 in a pod`);
  for (const key of ['DATABASE_URL', 'NATS_URL', 'PORT'])
    if (!(key in workload.environment))
      problems.push(`${where}: ${key} is not set (its default is loopback)`);
  return { problems, config };
}

function portAndProbeProblems(checked: Checked): string[] {
  const { where, container, service, config, portNumber } = checked;
  const problems: string[] = [];
  const ports = (container.ports ?? []) as { containerPort: number }[];
  if (!ports.some((port) => port.containerPort === config.PORT))
    problems.push(`${where}: no containerPort equals PORT ${String(config.PORT)}`);
  const served = servedPaths(service);
  for (const name of ['readinessProbe', 'livenessProbe', 'startupProbe']) {
    const httpGet = (container[name] as Probe | undefined)?.httpGet;
    if (!httpGet) {
      if (name !== 'startupProbe') problems.push(`${where}: no ${name}`);
      continue;
    }
    if (!served.has(httpGet.path))
      problems.push(`${where}: ${name} path ${httpGet.path} is not a route ${service} serves`);
    if (portNumber(httpGet.port) !== config.PORT)
      problems.push(`${where}: ${name} port is not PORT`);
  }
  // A liveness probe that checks dependencies restarts every pod when the database blinks.
  const liveness = (container.livenessProbe as Probe | undefined)?.httpGet;
  if (liveness && liveness.path !== '/healthz')
    problems.push(`${where}: livenessProbe must be /healthz (process alive), not ${liveness.path}`);
  const annotations = checked.spec.template.metadata.annotations ?? {};
  if (annotations['prometheus.io/scrape'] === 'true') {
    if (Number(annotations['prometheus.io/port']) !== config.PORT)
      problems.push(`${where}: prometheus.io/port is not PORT`);
    if (annotations['prometheus.io/path'] !== METRICS_PATH)
      problems.push(`${where}: prometheus.io/path is not ${METRICS_PATH}`);
  }
  return problems;
}

function podProblems({ where, container, spec }: Checked): string[] {
  const problems: string[] = [];
  const resources = container.resources as Record<string, Labels | undefined> | undefined;
  for (const kind of ['requests', 'limits'])
    for (const resource of ['cpu', 'memory'])
      if (!resources?.[kind]?.[resource]) problems.push(`${where}: no ${kind}.${resource}`);
  const security = (container.securityContext ?? {}) as Record<string, unknown>;
  if (spec.template.spec.securityContext?.runAsNonRoot !== true)
    problems.push(`${where}: runAsNonRoot is not set`);
  if (security.readOnlyRootFilesystem !== true)
    problems.push(`${where}: root filesystem is writable`);
  if (security.allowPrivilegeEscalation !== false)
    problems.push(`${where}: privilege escalation allowed`);
  if (!selects(spec.selector.matchLabels, spec.template.metadata.labels))
    problems.push(`${where}: its selector does not match its pods`);
  return problems;
}

function companionProblems({ where, rendered, name, config, spec, portNumber }: Checked): string[] {
  const problems: string[] = [];
  const podLabels = spec.template.metadata.labels;
  const ofKind = (kind: string) => rendered.objects.filter((object) => object.kind === kind);
  const pdb = ofKind('PodDisruptionBudget').find((candidate) => {
    const selector = specOf<{ selector: { matchLabels: Labels } }>(candidate)?.selector;
    return selector !== undefined && selects(selector.matchLabels, podLabels);
  });
  if (!pdb) problems.push(`${where}: no PodDisruptionBudget selects its pods`);
  const hpa = specOf<HpaSpec>(
    ofKind('HorizontalPodAutoscaler').find(
      (candidate) =>
        candidate.apiVersion === 'autoscaling/v2' &&
        specOf<HpaSpec>(candidate)?.scaleTargetRef.kind === 'Deployment' &&
        specOf<HpaSpec>(candidate)?.scaleTargetRef.name === name,
    ),
  );
  if (!hpa?.metrics?.some((metric) => metric.resource?.name === 'cpu'))
    problems.push(`${where}: no autoscaling/v2 HPA on CPU targets it`);
  if (hpa && hpa.minReplicas > hpa.maxReplicas) problems.push(`${where}: HPA min > max`);
  if (spec.replicas !== undefined)
    problems.push(`${where}: sets replicas, which would fight its HPA on every apply`);
  const service = ofKind('Service')
    .map((candidate) => specOf<ServiceSpec>(candidate))
    .find((candidate) => candidate?.selector && selects(candidate.selector, podLabels));
  const target = service?.ports[0]?.targetPort;
  if (target === undefined || portNumber(target) !== config.PORT)
    problems.push(`${where}: no Service sends to PORT`);
  return problems;
}

/** What must hold of every Deployment of one rendered overlay; every problem, so a run shows all. */
function deploymentProblems(rendered: Rendered): string[] {
  const deployments = workloads(rendered, 'Deployment');
  expect(new Set(deployments.map((workload) => workload.service))).toEqual(new Set(serviceNames));
  return deployments.flatMap((workload) => {
    const { problems, config } = environmentProblems(workload);
    const spec = specOf<DeploymentSpec>(workload.object);
    if (!config || !spec) return problems;
    const ports = (workload.container.ports ?? []) as { name?: string; containerPort: number }[];
    const checked: Checked = {
      where: `Deployment ${workload.object.metadata.name}`,
      rendered,
      name: workload.object.metadata.name,
      container: workload.container,
      service: workload.service,
      config,
      spec,
      portNumber: (port) =>
        typeof port === 'number'
          ? port
          : ports.find((candidate) => candidate.name === port)?.containerPort,
    };
    return [
      ...problems,
      ...portAndProbeProblems(checked),
      ...podProblems(checked),
      ...companionProblems(checked),
    ];
  });
}

/** The migration Job: one container per service, each migrating only. */
function jobProblems(rendered: Rendered): string[] {
  const problems: string[] = [];
  const containers = workloads(rendered, 'Job');
  expect(containers.map((workload) => workload.service).sort()).toEqual([...serviceNames].sort());
  for (const { container, service, environment } of containers) {
    const where = `Job container ${String(container.name)}`;
    for (const key of Object.keys(environment))
      if (!(key in schemas[service].shape))
        problems.push(`${where}: ${key} is not a ${service} setting`);
    const parsed = schemas[service].safeParse(environment);
    if (!parsed.success) problems.push(`${where}: ${parsed.error.message}`);
    else if ((parsed.data as { MIGRATE_ONLY?: boolean }).MIGRATE_ONLY !== true)
      problems.push(`${where}: MIGRATE_ONLY is not true: it would start the service`);
    if (!('MIGRATION_DATABASE_URL' in environment))
      problems.push(`${where}: no MIGRATION_DATABASE_URL (migrations run as the migrator)`);
    const resources = container.resources as Record<string, unknown> | undefined;
    if (!resources?.requests || !resources.limits) problems.push(`${where}: no resources`);
  }
  return problems;
}

/** The parts of the NATS chart's values the checks read. */
interface NatsValues {
  container: { image: { tag: string } };
  config: {
    cluster: { enabled: boolean; replicas?: number };
    jetstream: { memoryStore?: { enabled?: boolean } };
  };
}

describe('deploy/k8s manifests', () => {
  it('base containers name images only through kustomize images: entries', () => {
    const [kustomization] = readYamlDocuments(join(k8sDir, 'base/kustomization.yaml')) as {
      images: { name: string }[];
    }[];
    const listed = new Set(kustomization?.images.map((image) => image.name));
    const raw = renderKustomization(join(k8sDir, 'base'), { readEnvFile });
    const images = raw.objects.flatMap((object) =>
      containersOf(object).map((c) => String(c.image)),
    );
    expect(images.length).toBeGreaterThan(0);
    for (const image of images)
      expect(listed, `base image ${image}`).toContain(image.replace(/:[^/:]+$/, ''));
    // The raw files name no registry and no tag: both come from the overlay.
    for (const file of ['gateway', 'expense', 'approval', 'notification', 'migrate-job']) {
      const objects = readYamlDocuments(join(k8sDir, `base/${file}.yaml`)) as K8sObject[];
      for (const object of objects)
        for (const container of containersOf(object))
          expect(listed, `${file}.yaml`).toContain(String(container.image));
    }
  });

  it.each(overlays)(
    '%s: environment, probes, ports, resources, PDB and HPA of every Deployment',
    (overlay) => {
      expect(deploymentProblems(render(overlay))).toEqual([]);
    },
  );

  it.each(overlays)('%s: the migration Job migrates every service and nothing else', (overlay) => {
    expect(jobProblems(render(overlay))).toEqual([]);
  });

  it.each(overlays)(
    '%s: the gateway divides its rate limits by its minimum replica count',
    (overlay) => {
      const rendered = render(overlay);
      const gateway = workloads(rendered, 'Deployment').find((w) => w.service === 'gateway');
      const hpa = find(rendered, 'HorizontalPodAutoscaler', 'gateway');
      expect(Number(gateway?.environment.RATE_LIMIT_REPLICAS)).toBe(
        specOf<HpaSpec>(hpa)?.minReplicas,
      );
    },
  );

  it.each(overlays)('%s: the URLs between services name their Services and ports', (overlay) => {
    const rendered = render(overlay);
    const urlTargets: Record<string, ServiceName> = {
      EXPENSE_URL: 'expense',
      APPROVAL_URL: 'approval',
      NOTIFICATION_URL: 'notification',
      JWKS_URL: 'gateway',
    };
    const checked = workloads(rendered, 'Deployment').flatMap(({ environment }) =>
      Object.entries(urlTargets)
        .filter(([key]) => key in environment)
        .map(([key, target]) => ({ key, target, url: new URL(String(environment[key])) })),
    );
    expect(checked.length).toBeGreaterThanOrEqual(Object.keys(urlTargets).length);
    for (const { key, target, url } of checked) {
      const service = specOf<ServiceSpec>(find(rendered, 'Service', url.hostname));
      expect(service?.selector?.['app.kubernetes.io/name'], `${key} host`).toBe(target);
      expect(
        service?.ports.map((port) => port.port),
        `${key} port`,
      ).toContain(Number(url.port));
    }
    // The gateway serves its JWKS where the services' default JWKS_URL looks for it.
    const jwks = checked.find(({ key }) => key === 'JWKS_URL');
    expect(jwks?.url.pathname).toBe(new URL(BaseConfig.parse({}).JWKS_URL).pathname);
  });

  it('production runs three replicas of everything, R3 streams, and images from a registry', () => {
    const rendered = render('production');
    for (const hpa of rendered.objects.filter(
      (object) => object.kind === 'HorizontalPodAutoscaler',
    ))
      expect(specOf<HpaSpec>(hpa)?.minReplicas, hpa.metadata.name).toBeGreaterThanOrEqual(3);
    for (const workload of workloads(rendered, 'Deployment')) {
      expect(workload.environment.NATS_STREAM_REPLICAS).toBe('3');
      expect(workload.container.image).toMatch(/^[\w.-]+\.[\w.-]+\/.+:(?!latest$)[\w.-]+$/);
    }
  });

  it('the NATS values make a three-node JetStream cluster on disk that fsyncs every write', () => {
    const [values] = readYamlDocuments(join(k8sDir, 'nats/values.yaml')) as NatsValues[];
    expect(values?.config.cluster).toMatchObject({ enabled: true, replicas: 3 });
    expect(values?.config.jetstream).toMatchObject({
      enabled: true,
      fileStore: { enabled: true, pvc: { enabled: true } },
      merge: { sync_interval: 'always' },
    });
    expect(values?.config.jetstream.memoryStore?.enabled).not.toBe(true);
    const [major = 0, minor = 0, patch = 0] = String(values?.container.image.tag)
      .split(/[.-]/)
      .map(Number);
    expect(major * 1e6 + minor * 1e3 + patch, 'nats-server >= 2.10.23').toBeGreaterThanOrEqual(
      2_010_023,
    );
    // Dev runs one server: its streams must not ask for three copies.
    const [dev] = readYamlDocuments(join(k8sDir, 'nats/values-dev.yaml')) as NatsValues[];
    expect(dev?.config.cluster.enabled).toBe(false);
    for (const workload of workloads(render('dev'), 'Deployment'))
      expect(workload.environment.NATS_STREAM_REPLICAS).toBe('1');
  });

  it.each(overlays)(
    '%s: each service logs in as its own role; only the Job as the migrator',
    (overlay) => {
      const rendered = render(overlay);
      const schemaOf: Record<ServiceName, string> = {
        gateway: 'identity',
        expense: 'expense',
        approval: 'approval',
        notification: 'notification',
      };
      const userOf = (url: string | undefined) => (url ? new URL(url).username : undefined);
      for (const { service, environment } of workloads(rendered, 'Deployment')) {
        expect(userOf(environment.DATABASE_URL)).toBe(`countersign_${schemaOf[service]}`);
        expect(environment.MIGRATION_DATABASE_URL).toBeUndefined();
        if (service === 'gateway') expect(environment.SIGNING_KEY_KEK).toBeDefined();
      }
      for (const { environment } of workloads(rendered, 'Job')) {
        expect(userOf(environment.MIGRATION_DATABASE_URL)).toBe('countersign_migrator');
        expect(environment.DATABASE_URL).toBeUndefined();
        expect(environment.SIGNING_KEY_KEK).toBeUndefined();
      }
    },
  );

  it('secrets.env is git-ignored and its example carries no real secret', () => {
    const ignored = readFileSync(join(root, '.gitignore'), 'utf8');
    expect(ignored).toContain('deploy/k8s/overlays/*/secrets.env');
    expect(readFileSync(secretsExample, 'utf8')).toMatch(/CHANGE-ME/);
  });

  const kubectl = (() => {
    try {
      execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  // The renderer above is ours; where kubectl is installed, its kustomize must agree.
  it.skipIf(!kubectl).each(overlays)(
    '%s: kubectl kustomize renders the same objects',
    (overlay) => {
      const copy = mkdtempSync(join(tmpdir(), 'k8s-manifests-'));
      try {
        cpSync(k8sDir, copy, { recursive: true });
        const overlayDir = join(copy, 'overlays', overlay);
        writeFileSync(join(overlayDir, 'secrets.env'), readFileSync(secretsExample));
        let output = execFileSync('kubectl', ['kustomize', overlayDir], { encoding: 'utf8' });
        const ours = render(overlay);
        // Generated names carry a content hash in kubectl's output; ours keep the bare name.
        for (const name of [...ours.configMaps.keys(), ...ours.secrets.keys()])
          output = output.replace(new RegExp(`\\b${name}-[a-z0-9]{10}\\b`, 'g'), name);
        const theirs = parseAllDocuments(output).map((document) => document.toJS() as K8sObject);
        const generated = (object: K8sObject) =>
          object.kind === 'ConfigMap' || object.kind === 'Secret';
        const key = (object: K8sObject) => `${object.kind}/${object.metadata.name}`;
        const sorted = (objects: K8sObject[]) =>
          objects
            .filter((object) => !generated(object))
            .sort((a, b) => key(a).localeCompare(key(b)));
        expect(sorted(ours.objects)).toEqual(sorted(theirs));
        for (const object of theirs.filter((candidate) => candidate.kind === 'ConfigMap'))
          expect(object.data, key(object)).toEqual(ours.configMaps.get(object.metadata.name));
      } finally {
        rmSync(copy, { recursive: true, force: true });
      }
    },
  );
});
