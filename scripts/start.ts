// `npm start`: checks PostgreSQL and NATS, then runs the four services with demo data.
import type { ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEMO_PASSWORD, demoPolicies, demoUsers } from '@countersign/demo-data';
import { natsServers } from '@countersign/platform';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { BENCH_LIMIT_ENV } from './bench/limits.js';
import {
  clusterEnv,
  devAuditSigningKeys,
  portsFrom,
  spawnService,
  startOrder,
  stopProcess,
  waitReady,
} from './cluster.js';
import { localSecrets, prepareDatabaseLogins } from './db-roles.js';
import { startMailSink } from './mail-sink.js';
import { NatsCluster } from './nats-cluster.js';
import {
  mailSinkPort,
  parseStartOptions,
  START_USAGE,
  StartOptionsError,
} from './start-options.js';

const options = parseOptionsOrExit(process.argv.slice(2));
const ports = portsFrom(options.portBase);

/**
 * `--nats-cluster N`: N JetStream nodes on loopback (client ports from NATS_CLUSTER_PORT,
 * default 4231; stores under the temp directory, kept between runs) instead of NATS_URL,
 * with every stream replicated on up to 3 of them. Stopped after the services.
 */
async function startNatsClusterIfAsked(): Promise<NatsCluster | undefined> {
  const size = options.natsCluster;
  if (size === undefined) return undefined;
  // One root per size: a node's store remembers its cluster's members.
  const storeRoot = join(tmpdir(), `countersign-nats-cluster-${size}`);
  const cluster = await NatsCluster.start({
    size,
    clientPort: Number(process.env.NATS_CLUSTER_PORT ?? 4231),
    storeRoot,
  });
  console.log(`NATS cluster of ${size} started: ${cluster.url} (stores and logs in ${storeRoot})`);
  return cluster;
}

const natsCluster = await startNatsClusterIfAsked();
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/countersign';
const NATS_URL = natsCluster?.url ?? process.env.NATS_URL ?? 'nats://127.0.0.1:4222';

/** DATABASE_URL's user administers: it creates the database and the services' logins. */
const ADMIN_URL = Object.assign(new URL(DATABASE_URL), { pathname: '/postgres' }).toString();

async function ensureDatabase(): Promise<void> {
  const target = new URL(DATABASE_URL);
  const name = target.pathname.slice(1) || 'countersign';
  const admin = new URL(ADMIN_URL);
  const client = new pg.Client({
    connectionString: admin.toString(),
    connectionTimeoutMillis: 3000,
  });
  try {
    await client.connect();
  } catch (error) {
    fail(
      `PostgreSQL is not reachable at ${admin.host} (${(error as Error).message}).`,
      'Start it, e.g.: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start',
      'or point DATABASE_URL at a server you can reach (postgres://user@host:5432/countersign).',
    );
  }
  const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
  if (exists.rowCount === 0) {
    await client.query(`create database "${name.replaceAll('"', '""')}"`);
    console.log(`created database ${name}`);
  }
  await client.end();
}

async function ensureNats(): Promise<void> {
  let nc: Awaited<ReturnType<typeof connect>> | undefined;
  try {
    nc = await connect({ servers: natsServers(NATS_URL), timeout: 3000 });
    await (await jetstreamManager(nc)).getAccountInfo();
  } catch (error) {
    fail(
      `NATS with JetStream is not reachable at ${NATS_URL} (${(error as Error).message}).`,
      'Start it, e.g.: nats-server -js -sd /tmp/countersign-nats &',
      'or point NATS_URL at a JetStream-enabled server.',
    );
  } finally {
    await nc?.close();
  }
}

function fail(...lines: string[]): never {
  console.error(`\n${lines.join('\n')}\n`);
  process.exit(1);
}

function parseOptionsOrExit(argv: string[]): ReturnType<typeof parseStartOptions> {
  try {
    return parseStartOptions(argv);
  } catch (error) {
    if (error instanceof StartOptionsError) fail(error.message, START_USAGE);
    throw error;
  }
}

function printWelcome(): void {
  const url = `http://127.0.0.1:${ports.gateway}`;
  console.log(`\nCountersign is running: ${url}  (docs: ${url}/docs)`);
  if (options.replicas > 1) console.log(`${options.replicas} replicas of every service.`);
  console.log(`Demo logins for TechCorp Solutions, password "${DEMO_PASSWORD}":`);
  for (const user of demoUsers)
    console.log(`  ${user.email.padEnd(28)} ${user.name} (${user.role})`);
  console.log('Demo policies:');
  for (const policy of demoPolicies)
    console.log(`  ${policy.id}  ${policy.name} (${policy.category})`);
  console.log('Ctrl-C stops everything.\n');
}

/** Without an SMTP server of your own, mail goes to a local sink that prints it here. */
async function mailUrl(): Promise<string> {
  if (process.env.SMTP_URL) return process.env.SMTP_URL;
  const port = Number(process.env.MAIL_SINK_PORT ?? mailSinkPort(options));
  const sink = await startMailSink(port, (mail) => {
    console.log(`\n✉  mail to ${mail.to}: ${mail.subject}\n${mail.text.trim()}\n`);
  });
  console.log(`No SMTP_URL set: mail is printed here (local sink at ${sink.url}).`);
  return sink.url;
}

await ensureDatabase();
await ensureNats();
const SMTP_URL = await mailUrl();
if (options.bench) console.log('--bench: rate limits raised for npm run bench.');
// Each service logs in as its own role; the migrator migrates. Secrets: .data/local-secrets.json.
const secrets = localSecrets();
const env = clusterEnv({
  env: {
    NATS_URL,
    SMTP_URL,
    SEED_DEMO: 'true',
    SIGNING_KEY_KEK: secrets.signingKeyKek,
    ...natsCluster?.serviceEnv,
    ...(options.bench ? BENCH_LIMIT_ENV : {}),
  },
  serviceEnv: await prepareDatabaseLogins(ADMIN_URL, DATABASE_URL, secrets),
  ports,
  replicas: options.replicas,
  // Kept between runs, so earlier checkpoints still verify; AUDIT_SIGNING_KEY(_FILE) overrides.
  auditSigningKeys: devAuditSigningKeys(join(tmpdir(), 'countersign-audit-keys')),
});
const children: ChildProcess[] = [];
let stoppingSince = 0;
async function stopAll(): Promise<void> {
  if (stoppingSince > 0) {
    // One Ctrl-C can arrive twice (directly and relayed by tsx); a later one means "now".
    if (Date.now() - stoppingSince < 2000) return;
    for (const child of children) child.kill('SIGKILL');
    process.exit(1);
  }
  stoppingSince = Date.now();
  console.log('\nstopping services…');
  for (const child of [...children].reverse()) await stopProcess(child);
  await natsCluster?.stop();
  process.exit(0);
}
process.on('SIGINT', () => void stopAll());
process.on('SIGTERM', () => void stopAll());

for (const name of startOrder) {
  const child = spawnService(name, env[name]);
  children.push(child);
  child.on('exit', (code) => {
    if (stoppingSince === 0) {
      console.error(`${name} exited (code ${code}); stopping the cluster`);
      void stopAll();
    }
  });
  await waitReady(child, `http://127.0.0.1:${ports[name]}`);
}
printWelcome();
