/**
 * The replica launcher (scripts/replicas.ts) with a stand-in service: a dist/main.js that
 * answers each request with its pid, so which replica served is visible.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Agent, request } from 'undici';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../support/test-cluster.js';

const root = join(import.meta.dirname, '..', '..');
const launcher = join(root, 'scripts', 'replicas.ts');
const port = Number(process.env.TEST_PORT_BASE ?? 5000) + 90;

const standIns: string[] = [];

/**
 * A service directory whose dist/main.js is `main`, with an empty dist/instrument.js;
 * inside the repository, so `--import tsx` resolves from it as from a real service's.
 */
function standIn(main: string): string {
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'countersign-replica-'));
  standIns.push(dir);
  mkdirSync(join(dir, 'dist'));
  writeFileSync(join(dir, 'dist', 'instrument.js'), '');
  writeFileSync(join(dir, 'dist', 'main.js'), main);
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  return dir;
}

const servesItsPid = `
import { createServer } from 'node:http';
const server = createServer((_, res) => res.end(String(process.pid)));
server.listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
`;

let running: ChildProcess | undefined;
afterAll(() => {
  for (const dir of standIns) rmSync(dir, { recursive: true, force: true });
});
afterEach(async () => {
  if (running && running.exitCode === null && running.signalCode === null) {
    const exited = once(running, 'exit');
    running.kill('SIGKILL');
    await exited;
  }
});

interface Launched {
  child: ChildProcess;
  /** The pids of the last message "every replica listens". */
  listening: () => number[] | undefined;
  stderr: () => string;
}

function launch(dir: string): Launched {
  const child = spawn(process.execPath, ['--import', 'tsx', launcher], {
    cwd: dir,
    env: { ...process.env, REPLICAS: '2', PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  running = child;
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let latest: number[] | undefined;
  child.on('message', (message) => {
    latest = (message as { listening: number[] }).listening;
  });
  return { child, listening: () => latest, stderr: () => stderr };
}

/** The pids that answered `count` requests, each on a new connection. */
async function servingPids(count: number): Promise<Set<number>> {
  const pids = new Set<number>();
  for (let i = 0; i < count; i += 1) {
    const fresh = new Agent({ pipelining: 0 });
    const response = await request(`http://127.0.0.1:${port}/`, { dispatcher: fresh });
    pids.add(Number(await response.body.text()));
    await fresh.close();
  }
  return pids;
}

describe('the replica launcher', () => {
  it('runs two replicas on one port, spreads connections, replaces one killed, stops on SIGTERM', async () => {
    const { child, listening } = launch(standIn(servesItsPid));
    const first = await eventually(async () => listening(), 30_000);
    expect(first).toHaveLength(2);
    expect(await servingPids(6)).toEqual(new Set(first));

    const [victim, survivor] = first;
    process.kill(victim ?? 0, 'SIGKILL');
    const replaced = await eventually(async () => {
      const now = listening();
      return now && !now.includes(victim ?? 0) ? now : undefined;
    }, 30_000);
    expect(replaced).toContain(survivor);
    expect(replaced).toHaveLength(2);

    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    expect((await exited)[0]).toBe(0);
  }, 90_000);

  it('stops with an error when a replica dies before it ever listened', async () => {
    const { child, stderr } = launch(standIn('process.exit(3);'));
    const [code] = await once(child, 'exit');
    expect(code).toBe(1);
    expect(stderr()).toMatch(/failed to start \(code 3\); stopping/);
  }, 60_000);
});
