// `npm run compose:test`: builds the offline base images, starts docker-compose.yml under
// its own project name, drives seed 001's Test Cases 1 and 2 and a rejection through the
// gateway's published port, checks that a trace reached the collector (and through it the
// trace store), and tears everything down, volumes included, also on failure.
// COMPOSE_TEST_IMAGES=public uses the public base images instead of the stand-ins.
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseEnvFile, repoRoot, writeComposeEnv } from './env.js';

const PROJECT = process.env.COMPOSE_TEST_PROJECT ?? 'countersign-compose-test';
const GATEWAY_PORT = Number(process.env.COMPOSE_TEST_GATEWAY_PORT ?? 14000);
const JAEGER_PORT = Number(process.env.COMPOSE_TEST_JAEGER_PORT ?? 14686);
const PROMETHEUS_PORT = Number(process.env.COMPOSE_TEST_PROMETHEUS_PORT ?? 14090);
const useStandins = process.env.COMPOSE_TEST_IMAGES !== 'public';
const workDir = join(repoRoot, '.data', 'compose-test');
const envFile = join(workDir, '.env');
const started = Date.now();

// The e2e suite's client for the gateway, aimed at this cluster's published port.
process.env.TEST_PORT_BASE = String(GATEWAY_PORT);
const { api, eventually, login, policies } = await import('../../tests/support/test-cluster.js');

const say = (line: string) =>
  console.log(`[compose:test ${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

/** Runs a command; with `logFile`, its output goes there and its tail is shown on failure. */
async function run(command: string, args: string[], logFile?: string): Promise<void> {
  const log = logFile ? openSync(logFile, 'w') : 'inherit';
  const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', log, log] });
  const [code] = (await Promise.race([once(child, 'exit'), once(child, 'error')])) as [unknown];
  if (typeof log === 'number') closeSync(log);
  if (code === 0) return;
  if (logFile) console.error(readFileSync(logFile, 'utf8').split('\n').slice(-60).join('\n'));
  throw new Error(`${command} ${args.join(' ')} failed (${String(code)})`);
}

const compose = (args: string[], logFile?: string) =>
  run('docker-compose', ['-p', PROJECT, '--env-file', envFile, ...args], logFile);

async function startCluster(): Promise<void> {
  await run('docker', ['version', '--format', 'docker engine {{.Server.Version}}']).catch(() => {
    throw new Error('Docker Engine does not answer: start dockerd (as root: nohup dockerd &)');
  });
  if (useStandins) {
    say('building the offline base images (stand-ins)');
    await run('bash', [join(repoRoot, 'scripts/compose/base-images.sh')]);
  }
  mkdirSync(workDir, { recursive: true });
  rmSync(envFile, { force: true });
  writeComposeEnv(envFile, {
    standins: useStandins,
    overrides: {
      // The demo company is seeded only when asked; its logins take the generated password.
      COUNTERSIGN_DEMO: 'true',
      GATEWAY_PORT: String(GATEWAY_PORT),
      JAEGER_UI_PORT: String(JAEGER_PORT),
      PROMETHEUS_PORT: String(PROMETHEUS_PORT),
    },
  });
  // One after another: the first compiles every workspace, the others reuse its layers.
  say(`building the service images (log: ${join(workDir, 'build.log')})`);
  await compose(['build'], join(workDir, 'build.log'));
  say('starting the cluster (compose waits for each health check it depends on)');
  await compose(['up', '-d', '--no-build', '--quiet-pull'], join(workDir, 'up.log'));
  await eventually(allHealthy, 180_000);
  say(`every health check passes; gateway on http://127.0.0.1:${GATEWAY_PORT}`);
}

/**
 * True once every container of the project that has a health check is healthy: `up -d`
 * waits only for those others depend on. A container that stopped fails the run.
 */
async function allHealthy(): Promise<true | undefined> {
  const ids = (await output('docker-compose', ['-p', PROJECT, '--env-file', envFile, 'ps', '-q']))
    .split('\n')
    .filter(Boolean);
  const states = await output('docker', [
    'inspect',
    '--format',
    '{{.Name}} {{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}',
    ...ids,
  ]);
  const lines = states.split('\n').filter(Boolean);
  const stopped = lines.filter((line) => line.split(' ')[1] !== 'running');
  if (stopped.length > 0) throw new Error(`containers stopped: ${stopped.join('; ')}`);
  return lines.every((line) => /(healthy|none)$/.test(line) && !line.endsWith('unhealthy'))
    ? true
    : undefined;
}

const readComposeEnv = () => parseEnvFile(readFileSync(envFile, 'utf8'));

async function output(command: string, args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(command, args, { cwd: repoRoot });
  return stdout;
}

type Tokens = Record<'david' | 'eve' | 'frank' | 'grace', string>;

/** Approves or rejects once routing has stored the chain (a 404 only means "not routed yet"). */
const decide = (path: string, token: string, body: Record<string, unknown>) =>
  eventually(async () => {
    const response = await api('POST', path, token, body);
    return response.status === 404 ? undefined : response;
  });

const settledStatus = (id: string, token: string, expected: string) =>
  eventually(async () => {
    const response = await api('GET', `/api/expenses/${id}/status`, token);
    return response.body.status === expected ? response.body : undefined;
  });

/** Test Case 1, sent with a sampled traceparent of our own: returns its trace id. */
async function testCase1(tokens: Tokens): Promise<string> {
  const traceId = randomBytes(16).toString('hex');
  const response = await fetch(`http://127.0.0.1:${GATEWAY_PORT}/api/expenses`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${tokens.grace}`,
      'content-type': 'application/json',
      traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
    },
    body: JSON.stringify({
      policy_id: policies.small,
      amount: 800,
      description: 'Development laptop',
    }),
  });
  assert.equal(response.status, 201, await response.clone().text());
  const created = (await response.json()) as { expense_id: string; status: string };
  assert.equal(created.status, 'pending');
  const approved = await decide('/api/expenses/approve', tokens.frank, {
    expense_id: created.expense_id,
    comments: 'Standard equipment upgrade',
  });
  assert.equal(approved.status, 200);
  assert.equal(approved.body.expense_status, 'approved');
  await settledStatus(created.expense_id, tokens.grace, 'approved');
  say('Test Case 1 passed: small equipment, approved by the manager alone');
  return traceId;
}

async function testCase2(tokens: Tokens): Promise<void> {
  const created = await api('POST', '/api/expenses', tokens.grace, {
    policy_id: policies.large,
    amount: 4000,
    description: 'High-end workstation for ML projects',
  });
  assert.equal(created.status, 201);
  const id = String(created.body.expense_id);
  const steps: [keyof Tokens, string, string][] = [
    ['frank', 'Justified for ML work', 'pending'],
    ['eve', 'Supports team goals', 'pending'],
    ['david', 'Final approval granted', 'approved'],
  ];
  for (const [index, [approver, comments, expected]] of steps.entries()) {
    const approved = await decide('/api/expenses/approve', tokens[approver], {
      expense_id: id,
      comments,
    });
    assert.equal(approved.status, 200);
    assert.equal(approved.body.step_approved, index + 1);
    assert.equal(approved.body.expense_status, expected);
  }
  const status = await settledStatus(id, tokens.grace, 'approved');
  const approvals = status.approvals as { approver_name: string; status: string }[];
  assert.deepEqual(
    approvals.map((a) => `${a.approver_name}: ${a.status}`),
    ['Frank Miller: approved', 'Eve Davis: approved', 'David Wilson: approved'],
  );
  say('Test Case 2 passed: large equipment, Manager -> SEM -> AD');
}

async function rejection(tokens: Tokens): Promise<void> {
  const created = await api('POST', '/api/expenses', tokens.grace, {
    policy_id: policies.travel,
    amount: 1200,
    description: 'Conference trip',
  });
  assert.equal(created.status, 201);
  const id = String(created.body.expense_id);
  await decide('/api/expenses/approve', tokens.frank, { expense_id: id, comments: 'fine by me' });
  const rejected = await decide('/api/expenses/reject', tokens.eve, {
    expense_id: id,
    reason: 'Over budget',
  });
  assert.equal(rejected.status, 200);
  assert.equal(rejected.body.expense_status, 'rejected');
  await settledStatus(id, tokens.grace, 'rejected');
  say('rejection passed: travel rejected at step 2 is terminal');
}

interface JaegerTrace {
  spans: { processID: string }[];
  processes: Record<string, { serviceName: string }>;
}

/** The trace, once the trace store holds spans of the gateway, expense and approval (routing). */
async function checkTrace(traceId: string): Promise<void> {
  const wanted = ['countersign-gateway', 'countersign-expense', 'countersign-approval'];
  const services = await eventually(async () => {
    const response = await fetch(`http://127.0.0.1:${JAEGER_PORT}/api/traces/${traceId}`);
    if (!response.ok) return undefined;
    const trace = ((await response.json()) as { data: JaegerTrace[] }).data[0];
    const names = new Set(trace?.spans.map((s) => trace.processes[s.processID]?.serviceName));
    return wanted.every((name) => names.has(name)) ? [...names] : undefined;
  }, 60_000);
  say(`trace ${traceId} reached the collector: spans from ${services.sort().join(', ')}`);
}

async function scenario(): Promise<void> {
  const password = readComposeEnv().get('DEMO_PASSWORD');
  assert.ok(password, 'the env file holds a generated DEMO_PASSWORD');
  const published = await api('POST', '/api/auth/login', undefined, {
    email: 'grace@techcorp.example',
    password: 'countersign-demo',
  });
  assert.equal(published.status, 401, 'the published demo password must not open a login');
  const tokens: Tokens = {
    david: await login('david', password),
    eve: await login('eve', password),
    frank: await login('frank', password),
    grace: await login('grace', password),
  };
  const traceId = await testCase1(tokens);
  await testCase2(tokens);
  await rejection(tokens);
  await checkTrace(traceId);
}

async function tearDown(): Promise<void> {
  say('tearing down (containers, networks, volumes)');
  await compose(
    ['down', '-v', '--remove-orphans', '--timeout', '20'],
    join(workDir, 'down.log'),
  ).catch((error) => console.error(`teardown failed: ${(error as Error).message}`));
}

let failed = false;
process.once('SIGINT', () => {
  void tearDown().finally(() => process.exit(130));
});
try {
  await startCluster();
  await scenario();
  say('compose test passed');
} catch (error) {
  failed = true;
  console.error(`\n[compose:test] FAILED: ${(error as Error).stack ?? String(error)}\n`);
  await compose(['ps']).catch(() => undefined);
  await compose(['logs', '--no-color', '--tail', '150']).catch(() => undefined);
} finally {
  await tearDown();
}
say(failed ? 'failed' : 'done');
process.exit(failed ? 1 : 0);
