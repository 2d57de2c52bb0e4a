import { type ExecFileSyncOptions, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/**
 * A PostgreSQL server of a test's own, on its own port and data directory, that the test may
 * stop (even `pg_ctl -m immediate`, a crash) and start again without touching the shared
 * server on 5432 that other test files and developers use.
 */
export class PrivatePostgres {
  private constructor(
    readonly port: number,
    private readonly dataDir: string,
    private readonly binDir: string,
  ) {}

  /** initdb into a fresh directory and start on `port` (loopback, trust auth). */
  static async start(port: number): Promise<PrivatePostgres> {
    const root = mkdtempSync(join(tmpdir(), 'countersign-pg-'));
    const dataDir = join(root, 'data');
    const server = new PrivatePostgres(port, dataDir, postgresBinDir());
    // PostgreSQL refuses to run as root: as root, the server runs as `postgres`.
    if (isRoot()) chownSync(root, postgresId('-u'), postgresId('-g'));
    server.run('initdb', ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '-N']);
    await server.restart();
    return server;
  }

  get adminUrl(): string {
    return this.urlFor('postgres');
  }

  urlFor(database: string): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  /** `fast` shuts down cleanly; `immediate` kills the server as a crash would (recovery on start). */
  stop(mode: 'fast' | 'immediate' = 'fast'): void {
    if (!existsSync(join(this.dataDir, 'postmaster.pid'))) return;
    this.run('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', 'stop']);
  }

  /** Starts the server (after a stop of either kind) and waits until it takes connections. */
  async restart(): Promise<void> {
    this.run('pg_ctl', [
      '-D',
      this.dataDir,
      '-w',
      '-l',
      join(this.dataDir, '..', 'server.log'),
      '-o',
      `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${join(this.dataDir, '..')} -c max_connections=300 -c fsync=off`,
      'start',
    ]);
  }

  /** Stops the server and deletes its data. */
  destroy(): void {
    try {
      this.stop('immediate');
    } finally {
      rmSync(join(this.dataDir, '..'), { recursive: true, force: true });
    }
  }

  private run(binary: string, args: string[]): void {
    const command = join(this.binDir, binary);
    if (isRoot()) execFileSync('runuser', ['-u', 'postgres', '--', command, ...args], quiet);
    else execFileSync(command, args, quiet);
  }
}

const quiet: ExecFileSyncOptions = { stdio: ['ignore', 'ignore', 'pipe'] };

function isRoot(): boolean {
  return userInfo().uid === 0;
}

function postgresId(flag: '-u' | '-g'): number {
  return Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
}

/** The newest installed server's binaries (Debian keeps them out of PATH). */
function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((name) => statSync(join(root, name, 'bin', 'initdb'), { throwIfNoEntry: false }))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (newest === undefined) throw new Error(`no PostgreSQL server binaries under ${root}`);
  return join(root, newest, 'bin');
}
