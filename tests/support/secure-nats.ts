import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProducingService } from '@countersign/contracts';
import {
  connectNats,
  type NatsConnection,
  natsAdminUser,
  natsPassword,
  natsPasswordVariable,
  natsServices,
} from '@countersign/platform';
import { natsAuthorizationConfig } from '../../scripts/nats-auth.js';

/**
 * A nats-server of the test's own with the generated `authorization` block (the one
 * deploy/nats-auth.conf holds), random passwords and a fresh JetStream store: the bus as
 * deployed, with no anonymous access. Its client port is TEST_NATS_CLUSTER_PORT + 10
 * (monitoring + 4000), beside the ports of the test's NATS cluster.
 */
export class SecureNats {
  private constructor(
    private readonly process: ChildProcess,
    private readonly dir: string,
    readonly port: number,
    /** Password of each user: the four services and `admin`. */
    readonly passwords: Readonly<Record<string, string>>,
    private readonly log: () => string,
  ) {}

  static async start(port = secureNatsPort()): Promise<SecureNats> {
    const dir = mkdtempSync(join(tmpdir(), 'countersign-secure-nats-'));
    writeFileSync(join(dir, 'nats-auth.conf'), natsAuthorizationConfig());
    writeFileSync(
      join(dir, 'nats.conf'),
      [
        `listen: 127.0.0.1:${port}`,
        `http: 127.0.0.1:${port + 4000}`,
        `jetstream { store_dir: "${join(dir, 'store')}" }`,
        'include ./nats-auth.conf',
        '',
      ].join('\n'),
    );
    const passwords: Record<string, string> = {};
    for (const user of [...natsServices, natsAdminUser]) {
      passwords[user] = natsPassword();
    }
    const env = { ...process.env };
    for (const [user, password] of Object.entries(passwords)) {
      env[natsPasswordVariable(user)] = password;
    }
    const child = spawn('nats-server', ['-c', join(dir, 'nats.conf')], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2_000);
    });
    const nats = new SecureNats(child, dir, port, passwords, () => stderr);
    await nats.waitReady();
    return nats;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** The environment a service needs to connect as its own user. */
  serviceEnv(service: ProducingService): Record<string, string> {
    return { NATS_URL: this.url, NATS_PASSWORD: this.passwords[service] ?? '' };
  }

  /** A connection as `user` (a service's name, or `admin`). */
  connectAs(user: string, inboxPrefix?: string): Promise<NatsConnection> {
    return connectNats(this.url, `test-${user}`, {
      user,
      password: this.passwords[user],
      ...(inboxPrefix ? { inboxPrefix } : {}),
    });
  }

  private async waitReady(): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (this.process.exitCode !== null) {
        throw new Error(`nats-server exited with ${this.process.exitCode}: ${this.log()}`);
      }
      try {
        const response = await fetch(
          `http://127.0.0.1:${this.port + 4000}/healthz?js-enabled-only=true`,
        );
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error('nats-server did not become healthy');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async stop(): Promise<void> {
    if (this.process.exitCode === null) {
      const exited = new Promise((resolve) => this.process.once('exit', resolve));
      this.process.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function secureNatsPort(): number {
  return Number(process.env.TEST_NATS_CLUSTER_PORT ?? 14331) + 10;
}
