// A JetStream cluster of nats-server processes on loopback, for `npm start -- --nats-cluster N`
// and for tests that kill and restart nodes. Each node has its own client, route and
// monitoring port and its own store directory, so a restarted node finds its data again.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stopProcess } from './cluster.js';

export interface NatsClusterOptions {
  /** How many nodes (3 for a cluster that survives the loss of one). */
  size: number;
  /** Node i (0-based) takes client port clientPort + i, route port +2000, monitoring +4000. */
  clientPort: number;
  /** Each node's store and config go to storeRoot/<node name>. */
  storeRoot: string;
  /** Cluster name, also the prefix of the node names (`<name>-1`, `<name>-2`, ...). */
  name?: string;
  /**
   * Where node i listens and runs (default: 127.0.0.1, in this network namespace). A node
   * in a namespace of its own (see tests/support/netns.ts) can be cut off from the others.
   */
  placement?: NodePlacement[];
}

export interface NodePlacement {
  /** The address the node's client, route and monitoring ports listen on. */
  host: string;
  /** The network namespace the node runs in (`ip netns exec`), if not this one. */
  netns?: string;
}

const loopback: NodePlacement = { host: '127.0.0.1' };

function placementOf(options: NatsClusterOptions, index: number): NodePlacement {
  return options.placement?.[index] ?? loopback;
}

export interface NatsNode {
  /** The server_name JetStream reports, e.g. as a stream's leader. */
  name: string;
  clientUrl: string;
  monitorUrl: string;
  configFile: string;
  logFile: string;
  /** The network namespace it runs in, if not this one. */
  netns: string | undefined;
  process: ChildProcess | undefined;
}

const routeOffset = 2000;
const monitorOffset = 4000;

/** A node's nats-server configuration: its ports, its store, and routes to the others. */
export function nodeConfig(
  cluster: string,
  index: number,
  options: NatsClusterOptions,
): { name: string; text: string; storeDir: string; logFile: string } {
  const name = `${cluster}-${index + 1}`;
  const dir = join(options.storeRoot, name);
  const port = (offset: number, i = index) => options.clientPort + offset + i;
  const host = placementOf(options, index).host;
  const routes = Array.from({ length: options.size }, (_, i) => i)
    .filter((i) => i !== index)
    .map((i) => `"nats-route://${placementOf(options, i).host}:${port(routeOffset, i)}"`);
  const logFile = join(dir, 'server.log');
  const text = [
    `server_name: "${name}"`,
    `listen: "${host}:${port(0)}"`,
    `http: "${host}:${port(monitorOffset)}"`,
    `log_file: "${logFile}"`,
    `jetstream { store_dir: "${join(dir, 'store')}" }`,
    // A lone node is a plain JetStream server: nats-server refuses a cluster with no routes.
    ...(options.size > 1
      ? [
          'cluster {',
          `  name: "${cluster}"`,
          `  listen: "${host}:${port(routeOffset)}"`,
          `  routes: [${routes.join(', ')}]`,
          '}',
        ]
      : []),
    '',
  ].join('\n');
  return { name, text, storeDir: dir, logFile };
}

export class NatsCluster {
  private constructor(
    readonly nodes: NatsNode[],
    /** Where the nodes' configs, stores and logs are. */
    readonly storeRoot: string,
  ) {}

  /** Every node's client URL, comma-separated: what NATS_URL is set to. */
  get url(): string {
    return this.nodes.map((node) => node.clientUrl).join(',');
  }

  /**
   * What the services need to use this cluster: every node in NATS_URL, and each stream
   * on three nodes (or on all of a smaller cluster's).
   */
  get serviceEnv(): { NATS_URL: string; NATS_STREAM_REPLICAS: string } {
    return { NATS_URL: this.url, NATS_STREAM_REPLICAS: String(Math.min(this.nodes.length, 3)) };
  }

  /** Writes each node's config, starts them all, and waits until JetStream is healthy on each. */
  static async start(options: NatsClusterOptions): Promise<NatsCluster> {
    const cluster = options.name ?? 'countersign';
    const nodes = Array.from({ length: options.size }, (_, index) => {
      const config = nodeConfig(cluster, index, options);
      mkdirSync(config.storeDir, { recursive: true });
      const configFile = join(config.storeDir, 'nats-server.conf');
      writeFileSync(configFile, config.text);
      const { host, netns } = placementOf(options, index);
      return {
        name: config.name,
        clientUrl: `nats://${host}:${options.clientPort + index}`,
        monitorUrl: `http://${host}:${options.clientPort + monitorOffset + index}`,
        configFile,
        logFile: config.logFile,
        netns,
        process: undefined,
      } satisfies NatsNode;
    });
    const natsCluster = new NatsCluster(nodes, options.storeRoot);
    try {
      for (const node of nodes) natsCluster.launch(node);
      await natsCluster.waitHealthy();
    } catch (error) {
      await natsCluster.stop();
      throw error;
    }
    return natsCluster;
  }

  node(name: string): NatsNode {
    const node = this.nodes.find((n) => n.name === name);
    if (!node) throw new Error(`no NATS node named ${name}`);
    return node;
  }

  /** kill -9 of one node: nothing is flushed, its store is left as it was. */
  async kill(name: string): Promise<void> {
    const child = this.node(name).process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Starts a stopped node again on the same ports and store, and waits until it has caught up. */
  async restart(name: string, timeoutMs?: number): Promise<void> {
    const node = this.node(name);
    this.launch(node);
    await waitNodeHealthy(node, timeoutMs);
  }

  /**
   * Waits until every node answers its /healthz: JetStream has a meta leader, and the
   * node's copies of the streams and consumers are current.
   */
  async waitHealthy(timeoutMs?: number): Promise<void> {
    await Promise.all(this.nodes.map((node) => waitNodeHealthy(node, timeoutMs)));
  }

  /** SIGTERM to every node (a clean JetStream shutdown), SIGKILL after a grace period. */
  async stop(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (node) => {
        if (node.process) await stopProcess(node.process);
      }),
    );
  }

  /** The node JetStream's meta leader runs on, as every node's /jsz reports it. */
  async metaLeader(): Promise<string | undefined> {
    for (const node of this.nodes) {
      try {
        const response = await fetch(`${node.monitorUrl}/jsz`, {
          signal: AbortSignal.timeout(2000),
        });
        const jsz = (await response.json()) as { meta_cluster?: { leader?: string } };
        if (jsz.meta_cluster?.leader) return jsz.meta_cluster.leader;
      } catch {
        // that node is down; ask the next
      }
    }
    return undefined;
  }

  private launch(node: NatsNode): void {
    // Its own process group: a Ctrl-C meant for `npm start` must not stop NATS before the
    // services have drained; they are stopped last, by stop().
    const server = ['nats-server', '-c', node.configFile];
    // `ip netns exec` execs the server in its place: the child is the server itself.
    const [command = 'nats-server', ...args] = node.netns
      ? ['ip', 'netns', 'exec', node.netns, ...server]
      : server;
    const child = spawn(command, args, {
      stdio: ['ignore', 'ignore', 'inherit'],
      detached: true,
    });
    // A missing binary is reported by waitNodeHealthy (the process has exited).
    child.on('error', () => undefined);
    node.process = child;
    // Detached, it would outlive a parent that crashes: kill it when this process exits.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.off('exit', killOnExit));
  }
}

const healthPollMs = 200;

async function waitNodeHealthy(node: NatsNode, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'not listening';
  while (Date.now() < deadline) {
    const child = node.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `nats-server ${node.name} is not running (is nats-server on PATH? see ${node.logFile})`,
      );
    }
    try {
      const response = await fetch(`${node.monitorUrl}/healthz`, {
        signal: AbortSignal.timeout(2000),
      });
      if (response.ok) return;
      last = await response.text();
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, healthPollMs));
  }
  throw new Error(`nats-server ${node.name} not healthy within ${timeoutMs} ms: ${last}`);
}
