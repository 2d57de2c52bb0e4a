import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * Renders a kustomization the way `kustomize build` does, for the features deploy/k8s
 * uses: resources (files and directories), configMapGenerator and secretGenerator
 * (literals and env files; `behavior: merge`), images, JSON 6902 patches with a target,
 * namespace and labels. Any other field throws, so a kustomization cannot quietly use
 * something the manifest tests would not see. Generated names keep no hash suffix:
 * references are resolved by the generator's name.
 */

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [field: string]: unknown;
}

export interface Rendered {
  objects: K8sObject[];
  configMaps: Map<string, Record<string, string>>;
  secrets: Map<string, Record<string, string>>;
}

export interface RenderOptions {
  /** Reads a generator's env file; the tests map the never-committed secrets.env to its example. */
  readEnvFile?: (path: string) => string;
}

interface Generator {
  name: string;
  behavior?: 'create' | 'merge' | 'replace';
  literals?: string[];
  envs?: string[];
}

interface ImageEntry {
  name: string;
  newName?: string;
  newTag?: string;
}

interface PatchEntry {
  target: { kind?: string; name?: string };
  patch: string;
}

interface Kustomization {
  resources?: string[];
  images?: ImageEntry[];
  configMapGenerator?: Generator[];
  secretGenerator?: Generator[];
  patches?: PatchEntry[];
  namespace?: string;
  labels?: {
    pairs: Record<string, string>;
    includeSelectors?: boolean;
    includeTemplates?: boolean;
  }[];
}

const knownFields = new Set([
  'apiVersion',
  'kind',
  'resources',
  'images',
  'configMapGenerator',
  'secretGenerator',
  'patches',
  'namespace',
  'labels',
]);

/** Every document of a YAML file, as plain objects. */
export function readYamlDocuments(path: string): unknown[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((document) => {
      if (document.errors.length > 0) throw new Error(`${path}: ${document.errors[0]?.message}`);
      return document.toJS() as unknown;
    })
    .filter((value) => value !== null && value !== undefined);
}

function readKustomization(dir: string): Kustomization {
  const [document] = readYamlDocuments(join(dir, 'kustomization.yaml'));
  const kustomization = document as Record<string, unknown>;
  for (const field of Object.keys(kustomization)) {
    if (!knownFields.has(field))
      throw new Error(
        `${dir}/kustomization.yaml: "${field}" is not understood by tests/support/kustomize.ts`,
      );
  }
  return kustomization as Kustomization;
}

/** KEY=VALUE lines; blank lines and # comments skipped, as kustomize does. */
export function parseEnvLines(text: string): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const equals = trimmed.indexOf('=');
    if (equals <= 0) throw new Error(`not KEY=VALUE: ${line}`);
    entries[trimmed.slice(0, equals)] = trimmed.slice(equals + 1);
  }
  return entries;
}

function generate(
  dir: string,
  generators: Generator[] | undefined,
  into: Map<string, Record<string, string>>,
  readEnvFile: (path: string) => string,
): void {
  for (const generator of generators ?? []) {
    const data: Record<string, string> = {};
    for (const env of generator.envs ?? [])
      Object.assign(data, parseEnvLines(readEnvFile(join(dir, env))));
    Object.assign(data, parseEnvLines((generator.literals ?? []).join('\n')));
    const existing = into.get(generator.name);
    const behavior = generator.behavior ?? 'create';
    if (behavior === 'create' && existing)
      throw new Error(`${dir}: ${generator.name} generated twice`);
    if (behavior !== 'create' && !existing)
      throw new Error(
        `${dir}: ${generator.name} has behavior ${behavior} but no base to ${behavior}`,
      );
    into.set(generator.name, behavior === 'merge' ? { ...existing, ...data } : data);
  }
}

type Json = unknown;

/** The containers of a workload (Deployment, Job) or nothing. */
export function containersOf(object: K8sObject): Record<string, unknown>[] {
  const spec = object.spec as { template?: { spec?: { containers?: Record<string, unknown>[] } } };
  return spec?.template?.spec?.containers ?? [];
}

function applyImages(objects: K8sObject[], images: ImageEntry[] | undefined): void {
  for (const object of objects) {
    for (const container of containersOf(object)) {
      const image = String(container.image);
      const colon = image.lastIndexOf(':');
      const hasTag = colon > image.lastIndexOf('/');
      const name = hasTag ? image.slice(0, colon) : image;
      const tag = hasTag ? image.slice(colon + 1) : undefined;
      const entry = (images ?? []).find((candidate) => candidate.name === name);
      if (!entry) continue;
      const newTag = entry.newTag ?? tag;
      container.image = `${entry.newName ?? name}${newTag ? `:${newTag}` : ''}`;
    }
  }
}

/** JSON pointer segments (RFC 6901). */
function pointer(path: string): string[] {
  return path
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function applyOperation(document: Json, operation: Record<string, unknown>, where: string): void {
  const segments = pointer(String(operation.path));
  const last = segments.pop();
  let parent = document as Record<string, Json>;
  for (const segment of segments) {
    const next = parent[segment];
    if (typeof next !== 'object' || next === null)
      throw new Error(`${where}: no ${operation.path}`);
    parent = next as Record<string, Json>;
  }
  if (last === undefined) throw new Error(`${where}: empty path`);
  const present = Object.hasOwn(parent, last);
  switch (operation.op) {
    case 'add':
      if (Array.isArray(parent)) {
        if (last === '-') parent.push(operation.value);
        else parent.splice(Number(last), 0, operation.value);
      } else parent[last] = operation.value;
      return;
    case 'replace':
      if (!present) throw new Error(`${where}: replace of missing ${operation.path}`);
      parent[last] = operation.value;
      return;
    case 'remove':
      if (!present) throw new Error(`${where}: remove of missing ${operation.path}`);
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
      return;
    default:
      throw new Error(`${where}: op ${String(operation.op)} is not understood`);
  }
}

function applyPatches(dir: string, objects: K8sObject[], patches: PatchEntry[] | undefined): void {
  for (const entry of patches ?? []) {
    const operations = readYamlText(entry.patch) as Record<string, unknown>[];
    if (!Array.isArray(operations))
      throw new Error(`${dir}: only JSON 6902 patches are understood`);
    const targets = objects.filter(
      (object) =>
        (entry.target.kind === undefined || object.kind === entry.target.kind) &&
        (entry.target.name === undefined || object.metadata.name === entry.target.name),
    );
    if (targets.length === 0) throw new Error(`${dir}: a patch matches nothing`);
    for (const object of targets) {
      for (const operation of operations)
        applyOperation(object, operation, `${dir}: ${object.kind}/${object.metadata.name}`);
    }
  }
}

/**
 * `labels:` pairs go on each object's metadata and, with `includeTemplates`, on its pod
 * template's; selectors are never touched (`includeSelectors` is not understood).
 */
function applyLabels(dir: string, objects: K8sObject[], labels: Kustomization['labels']): void {
  for (const entry of labels ?? []) {
    if (entry.includeSelectors) throw new Error(`${dir}: labels on selectors are not understood`);
    for (const object of objects) {
      object.metadata.labels = { ...object.metadata.labels, ...entry.pairs };
      const template = (
        object.spec as { template?: { metadata?: { labels?: Record<string, string> } } }
      )?.template;
      if (entry.includeTemplates && template) {
        template.metadata = {
          ...template.metadata,
          labels: { ...template.metadata?.labels, ...entry.pairs },
        };
      }
    }
  }
}

function readYamlText(text: string): unknown {
  const [document] = parseAllDocuments(text);
  return document?.toJS() as unknown;
}

/** Renders the kustomization in `dir` (and, through its resources, the ones it builds on). */
export function renderKustomization(dir: string, options: RenderOptions = {}): Rendered {
  const readEnvFile = options.readEnvFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const kustomization = readKustomization(dir);
  const rendered: Rendered = { objects: [], configMaps: new Map(), secrets: new Map() };
  for (const resource of kustomization.resources ?? []) {
    const path = join(dir, resource);
    if (!existsSync(path)) throw new Error(`${dir}: resource ${resource} does not exist`);
    if (statSync(path).isDirectory()) {
      const base = renderKustomization(path, options);
      rendered.objects.push(...base.objects);
      for (const [name, data] of base.configMaps) rendered.configMaps.set(name, data);
      for (const [name, data] of base.secrets) rendered.secrets.set(name, data);
    } else {
      rendered.objects.push(...(readYamlDocuments(path) as K8sObject[]));
    }
  }
  generate(dir, kustomization.configMapGenerator, rendered.configMaps, readEnvFile);
  generate(dir, kustomization.secretGenerator, rendered.secrets, readEnvFile);
  applyImages(rendered.objects, kustomization.images);
  applyPatches(dir, rendered.objects, kustomization.patches);
  applyLabels(dir, rendered.objects, kustomization.labels);
  if (kustomization.namespace) {
    for (const object of rendered.objects) {
      if (object.kind !== 'Namespace') object.metadata.namespace = kustomization.namespace;
    }
  }
  return rendered;
}
