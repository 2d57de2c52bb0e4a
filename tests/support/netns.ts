// A network namespace of this machine joined to the root namespace by a veth pair, so a
// process run inside it (a NATS node) can be slowed down, made to lose packets or cut off
// with `tc`, while everything else stays on the machine's own network. Needs root and
// iproute2 (`ip`, `tc`).
//
// The kernel this runs on may lack sch_netem (`tc qdisc ... netem` answers "Specified qdisc
// kind is unknown"). The faults then use what every kernel has: tbf (a slow link whose
// queue delays what is sent through it) and a pfifo of length 0 (a link that drops every
// packet), switched on and off to lose packets in bursts.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface NetNamespaceOptions {
  /** Namespace name; the veth ends are `<name>-r` (root side) and `<name>-n` (inside). */
  name: string;
  /** The root side's address, e.g. 10.231.5.1 (a /30 with `inside`). */
  rootAddress: string;
  /** The address inside the namespace, e.g. 10.231.5.2. */
  insideAddress: string;
  prefixLength?: number;
}

/** What a fault on the link is made of: netem when the kernel has it, else tbf or pfifo. */
export type LinkFault =
  | { kind: 'delay'; delayMs: number; jitterMs: number }
  | { kind: 'loss'; percent: number }
  | { kind: 'partition' };

async function ip(...args: string[]): Promise<string> {
  return (await run('ip', args)).stdout;
}

async function tc(...args: string[]): Promise<void> {
  await run('tc', args);
}

let netemProbe: Promise<boolean> | undefined;

export class NetNamespace {
  /** Stops the burst-loss schedule, when one runs. */
  private stopFlapping: (() => Promise<void>) | undefined;

  private constructor(
    readonly name: string,
    readonly rootAddress: string,
    readonly insideAddress: string,
  ) {}

  get rootLink(): string {
    return `${this.name}-r`;
  }

  get insideLink(): string {
    return `${this.name}-n`;
  }

  /**
   * Creates the namespace and its veth pair, after removing what an aborted run of the
   * same name left behind (the namespace, and the root end of its veth pair).
   */
  static async create(options: NetNamespaceOptions): Promise<NetNamespace> {
    const namespace = new NetNamespace(options.name, options.rootAddress, options.insideAddress);
    await removeLeftovers(options.name);
    const prefix = options.prefixLength ?? 30;
    await ip('netns', 'add', namespace.name);
    await ip(
      'link',
      'add',
      namespace.rootLink,
      'type',
      'veth',
      'peer',
      'name',
      namespace.insideLink,
      'netns',
      namespace.name,
    );
    await ip('addr', 'add', `${namespace.rootAddress}/${prefix}`, 'dev', namespace.rootLink);
    await ip('link', 'set', namespace.rootLink, 'up');
    await ip(
      '-n',
      namespace.name,
      'addr',
      'add',
      `${namespace.insideAddress}/${prefix}`,
      'dev',
      namespace.insideLink,
    );
    await ip('-n', namespace.name, 'link', 'set', namespace.insideLink, 'up');
    await ip('-n', namespace.name, 'link', 'set', 'lo', 'up');
    return namespace;
  }

  /** The command line that runs `command` inside the namespace. */
  exec(command: string, args: string[]): { command: string; args: string[] } {
    return { command: 'ip', args: ['netns', 'exec', this.name, command, ...args] };
  }

  /** Whether this kernel has netem (probed once, in a scratch namespace of its own). */
  static netemAvailable(): Promise<boolean> {
    netemProbe ??= probeNetem();
    return netemProbe;
  }

  /**
   * Applies `fault` to both directions of the link (each veth end's outgoing queue), in
   * place of any fault before it.
   */
  async apply(fault: LinkFault): Promise<string> {
    await this.heal();
    const netem = await NetNamespace.netemAvailable();
    if (fault.kind === 'partition') {
      await this.onBothEnds(['pfifo', 'limit', '0']);
      return 'partition: every packet dropped both ways (pfifo limit 0)';
    }
    if (fault.kind === 'delay') {
      if (netem) {
        await this.onBothEnds(['netem', 'delay', `${fault.delayMs}ms`, `${fault.jitterMs}ms`]);
        return `delay ${fault.delayMs} ms ± ${fault.jitterMs} ms both ways (netem)`;
      }
      // A link of 512 kbit/s whose queue holds up to delayMs + jitterMs: what NATS sends
      // beyond that rate waits in the queue (and is dropped past it), as on a slow line.
      const rate = '512kbit';
      await this.onBothEnds([
        'tbf',
        'rate',
        rate,
        'burst',
        '4kb',
        'latency',
        `${fault.delayMs + fault.jitterMs}ms`,
      ]);
      return `slow link ${rate} with up to ${fault.delayMs + fault.jitterMs} ms of queue both ways (tbf; no netem)`;
    }
    if (netem) {
      await this.onBothEnds(['netem', 'loss', `${fault.percent}%`]);
      return `loss ${fault.percent} % both ways (netem)`;
    }
    this.stopFlapping = this.flap(fault.percent / 100);
    return `loss ${fault.percent} % of the time both ways, in bursts of 20-200 ms (pfifo limit 0 switched on and off; no netem)`;
  }

  /** Removes any fault: the link passes everything again. */
  async heal(): Promise<void> {
    const stop = this.stopFlapping;
    this.stopFlapping = undefined;
    await stop?.();
    await this.clearBothEnds();
  }

  /** Deletes the namespace (its veth pair goes with it). Processes inside must be stopped first. */
  async destroy(): Promise<void> {
    await this.heal().catch(() => undefined);
    await removeLeftovers(this.name);
  }

  private async onBothEnds(qdisc: string[]): Promise<void> {
    await tc('qdisc', 'replace', 'dev', this.rootLink, 'root', ...qdisc);
    await tc('-n', this.name, 'qdisc', 'replace', 'dev', this.insideLink, 'root', ...qdisc);
  }

  private async clearBothEnds(): Promise<void> {
    // No qdisc of ours to delete is not an error.
    await tc('qdisc', 'del', 'dev', this.rootLink, 'root').catch(() => undefined);
    await tc('-n', this.name, 'qdisc', 'del', 'dev', this.insideLink, 'root').catch(
      () => undefined,
    );
  }

  /**
   * Drops every packet for a random 20-200 ms, then lets them pass for as long again times
   * (1 - share) / share, and so on: `share` of the time the link loses everything.
   */
  private flap(share: number): () => Promise<void> {
    let running = true;
    const schedule = (async () => {
      while (running) {
        const dropMs = 20 + Math.random() * 180;
        await this.onBothEnds(['pfifo', 'limit', '0']);
        await sleep(dropMs);
        await this.clearBothEnds();
        if (running) await sleep((dropMs * (1 - share)) / share);
      }
    })();
    return async () => {
      running = false;
      await schedule;
    };
  }
}

/**
 * Why network namespaces cannot be used here (not root, no iproute2, a kernel without
 * them), or undefined when they can: tried with a scratch namespace.
 */
export async function netnsProblem(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'needs root for ip netns';
  const scratch = `netns-probe-${process.pid}`;
  try {
    await ip('netns', 'add', scratch);
    await ip('-n', scratch, 'link', 'set', 'lo', 'up');
    return undefined;
  } catch (error) {
    return `ip netns does not work here: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    await ip('netns', 'del', scratch).catch(() => undefined);
  }
}

async function removeLeftovers(name: string): Promise<void> {
  const namespaces = await ip('netns', 'list');
  if (namespaces.split('\n').some((line) => line.split(' ')[0] === name)) {
    await ip('netns', 'del', name);
  }
  // Deleting the namespace deletes the pair; a root end left by a half-done create is not.
  await ip('link', 'del', `${name}-r`).catch(() => undefined);
}

async function probeNetem(): Promise<boolean> {
  const scratch = `netem-probe-${process.pid}`;
  try {
    await ip('netns', 'add', scratch);
    await ip('-n', scratch, 'link', 'set', 'lo', 'up');
    await tc('-n', scratch, 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms');
    return true;
  } catch {
    return false;
  } finally {
    await ip('netns', 'del', scratch).catch(() => undefined);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
