/**
 * CPU time of local processes, read from /proc (Linux only).
 *
 * `/proc/<pid>/stat` fields 14 and 15 (utime, stime) count every thread of the process, in
 * clock ticks (`getconf CLK_TCK`, 100 on Linux): a per-request figure is only as fine as one
 * tick divided by the requests of the phase, which the report prints beside it.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

export const TICK_MS = 1_000 / clockTicksPerSecond();

function clockTicksPerSecond(): number {
  try {
    const ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isInteger(ticks) && ticks > 0 ? ticks : 100;
  } catch {
    return 100;
  }
}

/** utime + stime of a process in ticks, or undefined once it has exited. */
export function cpuTicks(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  return parseStatTicks(stat);
}

/**
 * The command name (field 2) may hold spaces and parentheses, so the fields are counted from
 * the last ')'. After it come field 3 (state) onwards: utime is field 14, stime field 15.
 */
export function parseStatTicks(stat: string): number | undefined {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[14 - 3]);
  const stime = Number(fields[15 - 3]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? utime + stime : undefined;
}

/** The parent pid (field 4), e.g. a PostgreSQL backend's postmaster. */
export function parentPid(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[4 - 3]);
    return Number.isInteger(ppid) && ppid > 1 ? ppid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The children of `pid`, e.g. the workers of a replica launcher (scripts/replicas.ts), whose
 * primary alone holds the port they serve.
 */
export function childPids(pid: number): number[] {
  return numericDirs('/proc').filter((candidate) => parentPid(candidate) === pid);
}

/**
 * Socket inodes listening on a TCP port, from the text of /proc/net/tcp or tcp6:
 * column 2 is local "ADDR:PORT" in hex, column 4 the state (0A = LISTEN), column 10 the inode.
 */
export function listeningInodes(procNetTcp: string, port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return procNetTcp
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter((cols) => cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A')
    .map((cols) => cols[9] ?? '')
    .filter((inode) => inode !== '' && inode !== '0');
}

function readOrEmpty(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function numericDirs(dir: string): number[] {
  try {
    return readdirSync(dir)
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return [];
  }
}

/** Pids holding a socket that listens on `port` on this host (processes this user may inspect). */
export function pidsListeningOn(port: number): number[] {
  const inodes = new Set([
    ...listeningInodes(readOrEmpty('/proc/net/tcp'), port),
    ...listeningInodes(readOrEmpty('/proc/net/tcp6'), port),
  ]);
  if (inodes.size === 0) return [];
  const targets = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  const pids: number[] = [];
  for (const pid of numericDirs('/proc')) {
    for (const fd of numericDirs(`/proc/${pid}/fd`)) {
      let link: string;
      try {
        link = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (targets.has(link)) {
        pids.push(pid);
        break;
      }
    }
  }
  return pids;
}

/** One variable of a process's start-up environment (readable for processes of this user). */
export function environOf(pid: number, name: string): string | undefined {
  const entry = readOrEmpty(`/proc/${pid}/environ`)
    .split('\0')
    .find((pair) => pair.startsWith(`${name}=`));
  return entry?.slice(name.length + 1);
}

/**
 * Follows the CPU time of named groups of processes across one phase. Processes may come and
 * go (PostgreSQL backends open and close with the services' pools): `poll()` during the phase
 * keeps the last reading of each, so a process that exits mid-phase still counts what it used
 * up to the last poll, and one that appears counts from zero (it started during the phase).
 */
export class CpuMeter {
  private readonly start = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private readonly groupOf = new Map<number, string>();

  constructor(private readonly listGroups: () => Promise<Map<string, number[]>>) {}

  async begin(): Promise<void> {
    await this.poll();
    for (const [pid, ticks] of this.last) this.start.set(pid, ticks);
  }

  async poll(): Promise<void> {
    for (const [group, pids] of await this.listGroups()) {
      for (const pid of pids) {
        const ticks = cpuTicks(pid);
        if (ticks === undefined) continue;
        this.groupOf.set(pid, group);
        this.last.set(pid, ticks);
      }
    }
  }

  /** CPU milliseconds per group since `begin()`, after one last poll. */
  async end(): Promise<Map<string, number>> {
    await this.poll();
    const totals = new Map<string, number>();
    for (const [pid, ticks] of this.last) {
      const group = this.groupOf.get(pid) ?? 'other';
      const used = ticks - (this.start.get(pid) ?? 0);
      totals.set(group, (totals.get(group) ?? 0) + used * TICK_MS);
    }
    return totals;
  }
}
