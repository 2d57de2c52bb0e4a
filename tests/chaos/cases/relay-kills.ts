/**
 * Fault case (d): the outbox relay dies between the broker's ack and marking the row sent,
 * again and again. A child process runs the real relay beside the service's own and
 * SIGKILLs itself right after an ack (relay-child.ts); the rows it published stay leased
 * and unmarked, and the service's relay publishes them again once the lease is over. The
 * stream must keep each once (Nats-Msg-Id within the duplicate window) and the consumers
 * apply each once: the ledger checks both.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { transformSync } from 'esbuild';
import { eventually, type TestCluster } from '../../support/test-cluster.js';
import { type ChaosCase, chaosScale } from '../harness.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..');

/**
 * relay-child.ts as plain JavaScript inside the repository (so its imports resolve to the
 * built packages): started hundreds of times, it would spend most of each life in tsx.
 */
function compiledChild(): string {
  const source = join(import.meta.dirname, '..', 'relay-child.ts');
  const { code } = transformSync(readFileSync(source, 'utf8'), { loader: 'ts', format: 'esm' });
  const dir = join(repoRoot, 'node_modules', '.cache', 'countersign-chaos');
  mkdirSync(dir, { recursive: true });
  const compiled = join(dir, 'relay-child.mjs');
  writeFileSync(compiled, code);
  return compiled;
}
/** The outboxes taken in turn: submissions (read by approval) and chain events (by expense). */
const schemas = ['expense', 'approval'] as const;

/** Runs one dying relay to its end: the event ids it had acked when it died, or none. */
async function dyingRelay(
  cluster: TestCluster,
  childScript: string,
  schema: string,
): Promise<string[]> {
  const killAfterAcks = 1 + Math.floor(Math.random() * 3);
  const args = [childScript, cluster.databaseUrl, schema, cluster.natsUrl];
  const output = await promisify(execFile)(process.execPath, [...args, String(killAfterAcks)], {
    cwd: repoRoot,
  }).then(
    ({ stdout }) => stdout,
    (error: { signal?: string; stdout?: string }) => {
      if (error.signal !== 'SIGKILL') throw error;
      return error.stdout ?? '';
    },
  );
  const line = output.trim().split('\n').at(-1);
  return line ? (JSON.parse(line) as { acked: string[] }).acked : [];
}

/** Waits until the service's relay has published and marked the rows the dead one left. */
async function orphansMarked(cluster: TestCluster, schema: string, eventIds: string[]) {
  await eventually(async () => {
    const { rows } = await cluster.db.query<{ n: number }>(
      `select count(*)::int n from ${schema}.outbox where event_id = any($1) and sent_at is null`,
      [eventIds],
    );
    return rows[0]?.n === 0 ? true : undefined;
  }, 60_000);
}

export function relayKills(cluster: TestCluster): ChaosCase & { expectedFaults: number } {
  const kills = chaosScale(6, 200);
  return {
    name: `outbox relay killed between ack and mark ×${kills}`,
    expectedFaults: kills,
    faults: async (run) => {
      const childScript = compiledChild();
      for (let attempt = 0, killed = 0; killed < kills && attempt < kills * 4; attempt++) {
        const schema = schemas[attempt % schemas.length] ?? 'expense';
        const acked = await dyingRelay(cluster, childScript, schema);
        if (acked.length === 0) continue; // it found nothing to publish, and left
        killed += 1;
        // The death has happened: what is timed is the service's relay taking its rows over.
        await run.fault(`relay of ${schema} killed after ${acked.length} acks`, {
          inject: async () => undefined,
          heal: () => orphansMarked(cluster, schema, acked),
        });
      }
    },
  };
}
