import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuditCheckpointStream, FeedStream, Streams } from '@countersign/contracts';
import { natsServers } from '@countersign/platform';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { childPids } from '../../scripts/bench/proc-cpu.js';
import {
  clusterEnv,
  freshAuditSigningKeys,
  portsFrom,
  type ServiceName,
  spawnService,
  startOrder,
  stopProcess,
  waitReady,
} from '../../scripts/cluster.js';
import { localSecrets, prepareDatabaseLogins } from '../../scripts/db-roles.js';
import { type MailSink, type ReceivedMail, startMailSink } from '../../scripts/mail-sink.js';
import { NatsCluster, type NodePlacement } from '../../scripts/nats-cluster.js';
import { SecureNats } from './secure-nats.js';

// TEST_PORT_BASE (with its own database and NATS) lets two test runs share a machine.
const portBase = Number(process.env.TEST_PORT_BASE ?? 5000);
export const ports: Record<ServiceName, number> = portsFrom(portBase);
const ADMIN_URL =
  process.env.TEST_ADMIN_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const DATABASE_URL =
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/countersign_e2e';
export const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
/** First client port of a test's own NATS cluster (routes +2000, monitoring +4000). */
export const natsClusterPort = Number(process.env.TEST_NATS_CLUSTER_PORT ?? 14331);

export interface TestClusterOptions {
  /**
   * Run the services on a NATS cluster of this many nodes, started for the test (fresh
   * stores) and stopped with it, with every stream replicated on up to 3 nodes.
   */
  natsNodes?: number;
  /** Where each of those nodes listens and runs (see NatsClusterOptions.placement). */
  natsPlacement?: NodePlacement[];
  /** Processes of every service, one port each, as `npm start -- --replicas N` runs them. */
  replicas?: number;
  /**
   * Run the services on a nats-server of the test's own with the generated users and
   * permissions (deploy/nats-auth.conf), each service with its own password: the bus as
   * deployed. The test itself connects as `admin` (`natsCredentials`).
   */
  secureNats?: boolean;
  /**
   * Run on another PostgreSQL server than TEST_ADMIN_DATABASE_URL's (a PrivatePostgres the
   * test may stop): its admin URL and the URL of the database to create there.
   */
  postgres?: { adminUrl: string; databaseUrl: string };
}

/** A fresh database and fresh streams, so every test file starts from nothing. */
async function resetState(
  natsUrl: string,
  credentials: { user?: string; pass?: string },
  postgres: { adminUrl: string; databaseUrl: string },
): Promise<void> {
  const admin = new pg.Client({ connectionString: postgres.adminUrl });
  await admin.connect();
  const name = new URL(postgres.databaseUrl).pathname.slice(1);
  await admin.query(`drop database if exists "${name}" with (force)`);
  await admin.query(`create database "${name}"`);
  await admin.end();
  const nc = await connect({ servers: natsServers(natsUrl), ...credentials });
  const jsm = await jetstreamManager(nc);
  // The checkpoints too: they vouch for chains of the database just dropped.
  for (const stream of [...Object.values(Streams), FeedStream.name, AuditCheckpointStream.name]) {
    await jsm.streams.delete(stream).catch(() => false);
  }
  await nc.close();
}

const mailPort = portBase + 25;

/** How long a service may take to answer ready (TEST_READY_TIMEOUT_MS: a loaded machine needs more). */
const readyTimeoutMs = Number(process.env.TEST_READY_TIMEOUT_MS ?? 30_000);
/** Role passwords and the KEK, shared with `npm start` (see scripts/db-roles.ts). */
const testSecrets = localSecrets();

/** What a test connects to NATS with: nothing, or the admin user on a secure NATS. */
function adminCredentials(secureNats: SecureNats | undefined): { user?: string; pass?: string } {
  return secureNats ? { user: 'admin', pass: secureNats.passwords.admin ?? '' } : {};
}

/** Processes per service: TEST_REPLICAS runs any e2e file against replicated services. */
const defaultReplicas = Number(process.env.TEST_REPLICAS ?? 1);

export interface RecordedSpan {
  service: string;
  /** The process (replica) that recorded it. */
  pid: number;
  trace_id: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
}

export class TestCluster {
  readonly children = new Map<ServiceName, ChildProcess>();
  /** Every message the gateway sent, read back from a real SMTP server on loopback. */
  readonly mail: ReceivedMail[] = [];
  private mailSink: MailSink | undefined;
  readonly spansFile = join(mkdtempSync(join(tmpdir(), 'countersign-spans-')), 'spans.jsonl');
  readonly db: pg.Pool;
  /** Extra processes on other ports, sharing the database (see startReplica). */
  readonly gatewayReplicas: ChildProcess[] = [];
  private readonly env: Record<ServiceName, Record<string, string>>;
  /** The gateway's SIGNING_KEY_KEK: tests open the sealed signing keys with it. */
  readonly signingKeyKek = testSecrets.signingKeyKek;

  /**
   * `extraEnv` goes to every service, after the defaults (e.g. low rate limits for a test).
   * `nats` is the test's own NATS cluster, if it asked for one.
   */
  private constructor(
    extraEnv: Record<string, string>,
    readonly replicas: number,
    readonly nats: NatsCluster | undefined,
    logins: Record<ServiceName, Record<string, string>>,
    readonly secureNats: SecureNats | undefined,
    /** The database the services use, as the postgres superuser. */
    readonly databaseUrl: string,
  ) {
    this.db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
    // A test may stop the database (PrivatePostgres): an idle connection it ends must not
    // take the test process down; the next query reconnects.
    this.db.on('error', () => undefined);
    this.env = clusterEnv({
      replicas,
      env: {
        NATS_URL,
        SIGNING_KEY_KEK: testSecrets.signingKeyKek,
        ...nats?.serviceEnv,
        SEED_DEMO: 'true',
        LOG_LEVEL: 'warn',
        COUNTERSIGN_SPANS_FILE: this.spansFile,
        // Every new trace recorded: the trace test reads them all (production samples).
        OTEL_TRACES_SAMPLER: 'parentbased_always_on',
        SMTP_URL: `smtp://127.0.0.1:${mailPort}`,
        // The suite sends thousands of requests from one address and a few users: the
        // production defaults (1,200/600 a minute, 30 sign-ins) are tested on their own
        // (tests/int/rate-limit-defaults.int.test.ts); a test wanting low ones sets them.
        RATE_LIMIT_IP_PER_WINDOW: '1000000',
        RATE_LIMIT_USER_PER_WINDOW: '1000000',
        AUTH_ATTEMPTS_IP_PER_WINDOW: '100000',
        ...extraEnv,
      },
      serviceEnv: logins,
      ports,
      auditSigningKeys: freshAuditSigningKeys(),
    });
    if (secureNats) {
      for (const name of startOrder) Object.assign(this.env[name], secureNats.serviceEnv(name));
    }
  }

  static async start(
    extraEnv: Record<string, string> = {},
    options: TestClusterOptions = {},
  ): Promise<TestCluster> {
    const nats = options.natsNodes
      ? await NatsCluster.start({
          size: options.natsNodes,
          clientPort: natsClusterPort,
          ...(options.natsPlacement ? { placement: options.natsPlacement } : {}),
          storeRoot: mkdtempSync(join(tmpdir(), 'countersign-nats-cluster-')),
        })
      : undefined;
    let secureNats: SecureNats | undefined;
    let cluster: TestCluster | undefined;
    try {
      secureNats = options.secureNats ? await SecureNats.start() : undefined;
      const postgres = options.postgres ?? { adminUrl: ADMIN_URL, databaseUrl: DATABASE_URL };
      await resetState(
        nats?.url ?? secureNats?.url ?? NATS_URL,
        adminCredentials(secureNats),
        postgres,
      );
      // Each service logs in as its own role; the migrator migrates (see scripts/db-roles.ts).
      const logins = await prepareDatabaseLogins(
        postgres.adminUrl,
        postgres.databaseUrl,
        testSecrets,
      );
      const started = new TestCluster(
        extraEnv,
        options.replicas ?? defaultReplicas,
        nats,
        logins,
        secureNats,
        postgres.databaseUrl,
      );
      cluster = started;
      started.mailSink = await startMailSink(mailPort, (mail) => started.mail.push(mail));
      for (const name of startOrder) await started.startService(name);
      return started;
    } catch (error) {
      // Nothing of a cluster that failed to start may outlive it: its NATS nodes and
      // services would hold the ports of the next test file.
      if (cluster) await cluster.stop().catch(() => undefined);
      else {
        await secureNats?.stop().catch(() => undefined);
        await nats?.stop().catch(() => undefined);
      }
      throw error;
    }
  }

  /** The NATS the services use: the test's own cluster, or NATS_URL. */
  get natsUrl(): string {
    return this.nats?.url ?? this.secureNats?.url ?? NATS_URL;
  }

  /** What the test connects to NATS with: nothing, or the admin user on a secure NATS. */
  get natsCredentials(): { user?: string; pass?: string } {
    return adminCredentials(this.secureNats);
  }

  /** The settings `name` was started with (its database login included). */
  envOf(name: ServiceName): Record<string, string> {
    return { ...this.env[name] };
  }

  /** A second gateway on `port`, with the same settings and database as the first. */
  async startGatewayReplica(port: number): Promise<string> {
    return (await this.startReplica('gateway', port)).url;
  }

  /** Another process of `name` on `port`, same settings and database; stopped with the cluster. */
  async startReplica(
    name: ServiceName,
    port: number,
  ): Promise<{ url: string; process: ChildProcess }> {
    const child = spawnService(name, { ...this.env[name], PORT: String(port) }, 'inherit');
    this.gatewayReplicas.push(child);
    const url = `http://127.0.0.1:${port}`;
    await waitReady(child, url, readyTimeoutMs);
    return { url, process: child };
  }

  async startService(name: ServiceName): Promise<void> {
    const child = spawnService(name, this.env[name], 'inherit');
    this.children.set(name, child);
    await waitReady(child, `http://127.0.0.1:${ports[name]}`, readyTimeoutMs);
  }

  /** kill -9: no shutdown hook runs, nothing is flushed. */
  async crash(name: ServiceName): Promise<void> {
    const child = this.children.get(name);
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** The processes serving `name`: its replicas when replicated, else the one process. */
  replicaPids(name: ServiceName): number[] {
    const child = this.children.get(name);
    if (child?.pid === undefined) return [];
    if (this.replicas === 1) return [child.pid];
    return childPids(child.pid).filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('dist/main.js');
      } catch {
        return false;
      }
    });
  }

  /** kill -9 of one replica of `name`; its launcher starts another in its place. */
  crashReplica(name: ServiceName, pid: number): void {
    if (!this.replicaPids(name).includes(pid)) throw new Error(`${pid} is not a ${name} replica`);
    process.kill(pid, 'SIGKILL');
  }

  async stop(): Promise<void> {
    for (const replica of this.gatewayReplicas) await stopProcess(replica);
    for (const name of [...startOrder].reverse()) {
      const child = this.children.get(name);
      if (child) await stopProcess(child);
    }
    await this.db.end();
    await this.mailSink?.close();
    await this.secureNats?.stop();
    if (this.nats) {
      await this.nats.stop();
      rmSync(this.nats.storeRoot, { recursive: true, force: true });
    }
  }

  /**
   * Waits until the expense service's routing copy holds every approval event committed so
   * far: the approval outbox is relayed and the expense consumer has nothing pending. A
   * submission right after a policy or directory change routes from the copy, which follows
   * the change a few milliseconds later (see ARCHITECTURE.md, "Routing from a copy"); a test
   * that needs the change applied to its next submission waits for it here.
   */
  async routingCopyCaughtUp(): Promise<void> {
    const nc = await connect({ servers: natsServers(this.natsUrl), ...this.natsCredentials });
    try {
      const jsm = await jetstreamManager(nc);
      await eventually(async () => {
        const unsent = await this.db.query<{ n: number }>(
          'select count(*)::int n from approval.outbox where sent_at is null',
        );
        if ((unsent.rows[0]?.n ?? 0) > 0) return undefined;
        const info = await jsm.consumers.info(Streams.approval, 'expense-on-approval-events');
        return info.num_pending === 0 && info.num_ack_pending === 0 ? true : undefined;
      });
    } finally {
      await nc.close();
    }
  }

  /** Waits for a message to `to` whose subject matches, newer than the `after`-th one. */
  async waitForMail(to: string, subject: RegExp, after = 0): Promise<ReceivedMail> {
    return eventually(async () =>
      this.mail.slice(after).find((m) => m.to === to.toLowerCase() && subject.test(m.subject)),
    );
  }

  spans(): RecordedSpan[] {
    if (!existsSync(this.spansFile)) return [];
    return readFileSync(this.spansFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as RecordedSpan);
  }
}

export const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;

export interface ApiResponse {
  status: number;
  contentType: string;
  body: Record<string, unknown> & { items?: Record<string, unknown>[] };
}

export async function api(
  method: string,
  path: string,
  token?: string,
  body?: unknown,
): Promise<ApiResponse> {
  const response = await fetch(`${gatewayUrl}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: text.startsWith('{') ? (JSON.parse(text) as ApiResponse['body']) : { text },
  };
}

export async function login(name: string, password = 'countersign-demo'): Promise<string> {
  const response = await api('POST', '/api/auth/login', undefined, {
    email: `${name}@techcorp.example`,
    password,
  });
  if (response.status !== 200) throw new Error(`login ${name}: ${response.status}`);
  return String(response.body.access_token);
}

/** Polls until `check` returns a value, for effects that arrive through NATS. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const policies = {
  small: '0197a000-0000-7000-8000-000000000201',
  large: '0197a000-0000-7000-8000-000000000202',
  travel: '0197a000-0000-7000-8000-000000000203',
};
