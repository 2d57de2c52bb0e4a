/**
 * Which local processes the bench meters, found without help from the cluster:
 * the gateway listens on BASE_URL's port; it was started with EXPENSE_URL, APPROVAL_URL and
 * NOTIFICATION_URL in its environment, whose ports lead to the services; NATS listens on
 * NATS_URL's port; PostgreSQL names its backends in pg_stat_activity. BENCH_PIDS overrides
 * any group (several replicas of a service: BENCH_PIDS=expense=12+34). A service run as
 * replicas (scripts/replicas.ts) is found by its launcher, which holds the port: its
 * children, the replicas, count with it.
 */

import type { PgStats } from './pg-stats.js';
import { childPids, environOf, pidsListeningOn } from './proc-cpu.js';

export const GROUPS = [
  'gateway',
  'expense',
  'approval',
  'notification',
  'pg backends',
  'pg shared',
  'nats',
] as const;
export type Group = (typeof GROUPS)[number];

/** Node services, whose going quiet means the work a phase caused is done. */
export const SERVICE_GROUPS: readonly Group[] = ['gateway', 'expense', 'approval', 'notification'];

/** Ports `npm start` uses, for a gateway whose environment cannot be read. */
const DEFAULT_SERVICE_PORTS = { expense: 4101, approval: 4102, notification: 4103 } as const;
const SERVICE_URL_VARS = {
  expense: 'EXPENSE_URL',
  approval: 'APPROVAL_URL',
  notification: 'NOTIFICATION_URL',
} as const;

function portOf(url: string, fallback: number): number {
  try {
    const parsed = new URL(url);
    if (parsed.port !== '') return Number(parsed.port);
    return parsed.protocol === 'https:' ? 443 : 80;
  } catch {
    return fallback;
  }
}

/** The processes holding a port, with their children (a replica launcher's workers). */
function withReplicas(listeners: number[]): number[] {
  return [...listeners, ...listeners.flatMap(childPids)];
}

function replicasNote(pids: number[]): string {
  return pids.length > 1 ? ` (+ its children: ${pids.length} processes)` : '';
}

export type ListGroups = () => Promise<Map<string, number[]>>;

export interface DiscoveredProcesses {
  /** Current pids of every group, PostgreSQL's re-read each time (backends come and go). */
  list: ListGroups;
  /** Group → how its pids were found, for the report. */
  found: Record<string, { pids: number[]; how: string }>;
}

export function discoverProcesses(
  gatewayUrl: string,
  natsUrl: string,
  override: ReadonlyMap<string, number[]>,
  pg: PgStats | undefined,
): DiscoveredProcesses {
  const found: DiscoveredProcesses['found'] = {};
  const fixed = new Map<string, number[]>();
  const take = (group: Group, pids: number[], how: string): void => {
    const chosen = override.get(group);
    const entry = chosen === undefined ? { pids, how } : { pids: chosen, how: 'BENCH_PIDS' };
    found[group] = entry;
    fixed.set(group, entry.pids);
  };
  const gatewayPort = portOf(gatewayUrl, 4000);
  const gateway = override.get('gateway') ?? withReplicas(pidsListeningOn(gatewayPort));
  take('gateway', gateway, `listens on :${gatewayPort}${replicasNote(gateway)}`);
  for (const service of ['expense', 'approval', 'notification'] as const) {
    const fromEnv = gateway
      .map((pid) => environOf(pid, SERVICE_URL_VARS[service]))
      .find((url) => url !== undefined);
    const port = portOf(fromEnv ?? '', DEFAULT_SERVICE_PORTS[service]);
    const how =
      fromEnv === undefined ? `default port :${port}` : `gateway's ${SERVICE_URL_VARS[service]}`;
    const pids = withReplicas(pidsListeningOn(port));
    take(service, pids, `${how}, listens on :${port}${replicasNote(pids)}`);
  }
  const natsPort = portOf(natsUrl.replace(/^nats:/, 'http:'), 4222);
  take('nats', pidsListeningOn(natsPort), `listens on :${natsPort}`);
  found['pg backends'] = { pids: [], how: "pg_stat_activity, this database's backends" };
  found['pg shared'] = { pids: [], how: 'pg_stat_activity, background processes + postmaster' };

  const list: ListGroups = async () => {
    const groups = new Map(fixed);
    const backends = override.get('pg backends');
    const shared = override.get('pg shared');
    if (backends !== undefined || shared !== undefined || pg === undefined) {
      groups.set('pg backends', backends ?? []);
      groups.set('pg shared', shared ?? []);
      return groups;
    }
    const pids = await pg.serverPids();
    groups.set('pg backends', pids.backends);
    groups.set('pg shared', pids.shared);
    return groups;
  };
  return { list, found };
}
