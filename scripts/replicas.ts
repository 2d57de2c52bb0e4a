/**
 * Runs REPLICAS processes of one service on one port (node:cluster), for `npm start --
 * --replicas N` and the replicated tests. Run in the service's directory, as its primary:
 *
 *   node --import tsx ../../scripts/replicas.ts
 *
 * Each worker runs the service's dist/main.js with this process's environment. The primary
 * holds the listening socket and hands each new connection to the next worker in turn
 * (node:cluster's round-robin), so connections, not single requests, are what is spread:
 * a client with many connections (the gateway's pool, a load generator) spreads its
 * requests, one reusing a single kept-alive connection stays with one replica.
 *
 * A worker that dies after it started listening (kill -9, a crash) is replaced; one that
 * exits cleanly is not, and one that dies before it listened stops them all (exit 1).
 * SIGTERM/SIGINT stop every worker, then the primary. Once every worker listens, the
 * primary tells its parent over IPC ({ listening: pids }), when it was spawned with one.
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';

const replicas = Number(process.env.REPLICAS ?? availableParallelism());
if (!Number.isInteger(replicas) || replicas < 1) {
  console.error(`REPLICAS must be a positive integer, got "${process.env.REPLICAS}"`);
  process.exit(1);
}

cluster.setupPrimary({
  exec: 'dist/main.js',
  execArgv: ['--enable-source-maps', '--import', './dist/instrument.js'],
});

const listening = new Set<Worker>();
let stopping = false;

cluster.on('listening', (worker) => {
  listening.add(worker);
  if (listening.size === replicas) {
    process.send?.({ listening: [...listening].map((w) => w.process.pid) });
  }
});

cluster.on('exit', (worker, code, signal) => {
  const hadStarted = listening.delete(worker);
  if (stopping) return;
  if (code === 0 && signal === null) {
    // Stopped on purpose (a signal of its own): with none left, there is nothing to run.
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
    return;
  }
  const how = signal ?? `code ${code}`;
  // One that never listened would fail again (configuration, database): a crash loop.
  if (!hadStarted) {
    console.error(`replica ${worker.process.pid} failed to start (${how}); stopping`);
    void stopAll(1);
    return;
  }
  console.error(`replica ${worker.process.pid} died (${how}); starting another`);
  cluster.fork();
});

async function stopAll(exitCode = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
  if (workers.length === 0) process.exit(exitCode);
  // Each worker shuts down cleanly on SIGTERM (finishes requests, drains its consumers).
  for (const worker of workers) worker.process.kill('SIGTERM');
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('exit', resolve))));
  process.exit(exitCode);
}

process.on('SIGTERM', () => void stopAll());
process.on('SIGINT', () => void stopAll());
// The parent that spawned us over IPC went away: nobody will stop us, so stop.
if (process.send) process.on('disconnect', () => void stopAll());

for (let i = 0; i < replicas; i += 1) cluster.fork();
