/**
 * `npm start -- [options]`: the command line of scripts/start.ts, parsed apart from it so
 * each option is one entry here (and tested in tests/scripts/start-options.unit.test.ts).
 */
import { parseArgs } from 'node:util';

export interface StartOptions {
  /** Processes per service, each request spread over them (see scripts/replicas.ts). */
  replicas: number;
  /**
   * The gateway's port; the services sit at +101, +102, +103 and the mail sink at +25
   * (2525 on the default base),
   * so a second cluster can run beside the default one (4000).
   */
  portBase: number;
  /** JetStream nodes to start on loopback instead of using NATS_URL (undefined: none). */
  natsCluster: number | undefined;
  /** Raise the gateway's rate limits for `npm run bench` (scripts/bench/limits.ts). */
  bench: boolean;
}

export const DEFAULT_PORT_BASE = 4000;
const MAX_REPLICAS = 16;
const MAX_NATS_NODES = 5;

export const START_USAGE = `usage: npm start -- [--replicas N] [--nats-cluster N] [--port-base PORT] [--bench]
  --replicas N      run N processes of every service (1 to ${MAX_REPLICAS}, default 1)
  --nats-cluster N  start N JetStream nodes on loopback, streams replicated on up to 3
                    (1 to ${MAX_NATS_NODES}; default: use NATS_URL)
  --port-base PORT  gateway port; services at PORT+101..103 (default ${DEFAULT_PORT_BASE})
  --bench           rate limits high enough for npm run bench (default: the gateway's own)`;

/** Thrown for a command line that cannot be run; its message is meant for the user. */
export class StartOptionsError extends Error {}

function integerOption(
  name: string,
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new StartOptionsError(`--${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

export function parseStartOptions(argv: readonly string[]): StartOptions {
  let values: {
    replicas?: string;
    'port-base'?: string;
    'nats-cluster'?: string;
    bench?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        replicas: { type: 'string' },
        'port-base': { type: 'string' },
        'nats-cluster': { type: 'string' },
        bench: { type: 'boolean' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new StartOptionsError((error as Error).message);
  }
  return {
    replicas: integerOption('replicas', values.replicas, 1, 1, MAX_REPLICAS),
    // The services take PORT+101..103: the base must leave room for them.
    portBase: integerOption(
      'port-base',
      values['port-base'],
      DEFAULT_PORT_BASE,
      1024,
      65_535 - 103,
    ),
    natsCluster:
      values['nats-cluster'] === undefined
        ? undefined
        : integerOption('nats-cluster', values['nats-cluster'], 1, 1, MAX_NATS_NODES),
    bench: values.bench ?? false,
  };
}

/** The local mail sink's port: the usual 2525, or the port base + 25 beside another cluster. */
export function mailSinkPort(options: StartOptions): number {
  return options.portBase === DEFAULT_PORT_BASE ? 2525 : options.portBase + 25;
}
