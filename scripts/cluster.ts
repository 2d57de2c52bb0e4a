import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type ServiceName = 'gateway' | 'approval' | 'expense' | 'notification';

/** Each service's port: the gateway's is the base, the others sit 101, 102, 103 above it. */
export function portsFrom(base: number): Record<ServiceName, number> {
  return { gateway: base, expense: base + 101, approval: base + 102, notification: base + 103 };
}

export const servicePorts: Record<ServiceName, number> = portsFrom(4000);

/** Start order: the gateway serves the JWKS the others verify with; approval routes for expense. */
export const startOrder: ServiceName[] = ['gateway', 'approval', 'expense', 'notification'];

export interface ClusterOptions {
  env: Record<string, string>;
  /** Each service's port, so a test cluster can sit beside a dev one. */
  ports?: Record<ServiceName, number>;
  output?: 'inherit' | 'ignore' | 'pipe';
  /** Processes per service; the gateway's in-memory rate limits are shared out between them. */
  replicas?: number;
  /**
   * Each service's own audit signing key (AUDIT_SIGNING_KEY or AUDIT_SIGNING_KEY_FILE), for
   * a cluster whose `env` names none: see devAuditSigningKeys and freshAuditSigningKeys.
   */
  auditSigningKeys?: Record<ServiceName, Record<string, string>>;
  /** Settings of one service only (its own database login), over `env`. */
  serviceEnv?: Partial<Record<ServiceName, Record<string, string>>>;
}

const serviceNames: ServiceName[] = ['gateway', 'expense', 'approval', 'notification'];

function newSigningKeyPem(): string {
  return generateKeyPairSync('ed25519')
    .privateKey.export({ type: 'pkcs8', format: 'pem' })
    .toString();
}

/**
 * `npm start`'s audit signing keys: one PEM file per service in `dir`, made on the first
 * run and kept (checkpoints signed on earlier runs must still verify). Development only:
 * a production key is made and kept by the operator (docs/OPERATIONS.md).
 */
export function devAuditSigningKeys(dir: string): Record<ServiceName, Record<string, string>> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keys = {} as Record<ServiceName, Record<string, string>>;
  for (const name of serviceNames) {
    const file = join(dir, `${name}.pem`);
    if (!existsSync(file)) writeFileSync(file, newSigningKeyPem(), { mode: 0o600 });
    keys[name] = { AUDIT_SIGNING_KEY_FILE: file };
  }
  return keys;
}

/** A new key per service, in the environment: for a test cluster that starts from nothing. */
export function freshAuditSigningKeys(): Record<ServiceName, Record<string, string>> {
  const keys = {} as Record<ServiceName, Record<string, string>>;
  for (const name of serviceNames) keys[name] = { AUDIT_SIGNING_KEY: newSigningKeyPem() };
  return keys;
}

export function clusterEnv(options: ClusterOptions): Record<ServiceName, Record<string, string>> {
  const ports = options.ports ?? servicePorts;
  const url = (name: ServiceName) => `http://127.0.0.1:${ports[name]}`;
  const replicas = options.replicas ?? 1;
  const shared = {
    ...(replicas > 1 ? { REPLICAS: String(replicas), RATE_LIMIT_REPLICAS: String(replicas) } : {}),
    ...options.env,
    JWKS_URL: `${url('gateway')}/.well-known/jwks.json`,
    EXPENSE_URL: url('expense'),
    APPROVAL_URL: url('approval'),
    NOTIFICATION_URL: url('notification'),
  };
  const named = 'AUDIT_SIGNING_KEY' in options.env || 'AUDIT_SIGNING_KEY_FILE' in options.env;
  const key = (name: ServiceName) => (named ? {} : (options.auditSigningKeys?.[name] ?? {}));
  const own = options.serviceEnv ?? {};
  return {
    gateway: { ...shared, ...key('gateway'), ...own.gateway, PORT: String(ports.gateway) },
    approval: { ...shared, ...key('approval'), ...own.approval, PORT: String(ports.approval) },
    expense: { ...shared, ...key('expense'), ...own.expense, PORT: String(ports.expense) },
    notification: {
      ...shared,
      ...key('notification'),
      ...own.notification,
      PORT: String(ports.notification),
    },
  };
}

/** Replicated services, and whether every replica listens yet (see scripts/replicas.ts). */
const replicaState = new WeakMap<ChildProcess, { replicas: number; allListening: boolean }>();

/**
 * Starts one service: its dist/main.js, or, when `env.REPLICAS` is above 1, the replica
 * launcher (scripts/replicas.ts) that runs that many of it on the one port.
 */
export function spawnService(
  name: ServiceName,
  env: Record<string, string>,
  output: 'inherit' | 'ignore' | 'pipe' = 'inherit',
): ChildProcess {
  const cwd = join(import.meta.dirname, '..', 'services', name);
  const replicas = Number(env.REPLICAS ?? 1);
  const replicated = replicas > 1;
  const args = replicated
    ? ['--import', 'tsx', join(import.meta.dirname, 'replicas.ts')]
    : ['--enable-source-maps', '--import', './dist/instrument.js', 'dist/main.js'];
  const child = spawn(process.execPath, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: replicated ? ['ignore', output, output, 'ipc'] : ['ignore', output, output],
  });
  if (replicated) {
    const state = { replicas, allListening: false };
    replicaState.set(child, state);
    child.once('message', () => {
      state.allListening = true;
    });
  }
  return child;
}

/**
 * Polls /readyz until the service answers ready (every replica of a replicated one), or
 * fails when it exits or time runs out; replicas start together, so each adds `timeoutMs`.
 */
export async function waitReady(
  child: ChildProcess,
  url: string,
  timeoutMs = 30_000,
): Promise<void> {
  const started = Date.now();
  const deadline = started + timeoutMs * (replicaState.get(child)?.replicas ?? 1);
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`${url} exited with code ${child.exitCode} before it was ready`);
    try {
      const response = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) });
      if (response.ok && (replicaState.get(child)?.allListening ?? true)) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} was not ready within ${deadline - started} ms`);
}

/** Sends SIGTERM and waits for a clean exit; SIGKILL after the grace period. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
  return child.exitCode;
}
