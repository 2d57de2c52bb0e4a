/**
 * What PostgreSQL did for the bench's database: transaction and row counters from
 * `pg_stat_database`, and the pids of the server processes whose CPU the bench adds up.
 *
 * Counters reach `pg_stat_database` when a backend flushes its pending statistics: at most
 * once a second while busy, and up to 10 s after it goes idle (PGSTAT_IDLE_INTERVAL in
 * PostgreSQL 15). A phase whose per-create figure matters waits that long before reading.
 */
import pg from 'pg';
import { parentPid } from './proc-cpu.js';

export interface DbCounters {
  commits: number;
  rollbacks: number;
  inserted: number;
  updated: number;
  deleted: number;
}

export function counterDelta(before: DbCounters, after: DbCounters): DbCounters {
  return {
    commits: after.commits - before.commits,
    rollbacks: after.rollbacks - before.rollbacks,
    inserted: after.inserted - before.inserted,
    updated: after.updated - before.updated,
    deleted: after.deleted - before.deleted,
  };
}

export class PgStats {
  private postmasterPid: number | undefined;

  private constructor(private readonly client: pg.Client) {}

  static async connect(databaseUrl: string): Promise<PgStats> {
    const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3_000 });
    await client.connect();
    return new PgStats(client);
  }

  async counters(): Promise<DbCounters> {
    // A session caches what it read from the statistics until its transaction ends; start fresh.
    await this.client.query('select pg_stat_clear_snapshot()');
    const result = await this.client.query<Record<keyof DbCounters, string>>(
      `select xact_commit as commits, xact_rollback as rollbacks, tup_inserted as inserted,
              tup_updated as updated, tup_deleted as deleted
         from pg_stat_database where datname = current_database()`,
    );
    const row = result.rows[0];
    if (row === undefined) throw new Error('pg_stat_database has no row for this database');
    // bigint columns come back as strings from pg.
    return {
      commits: Number(row.commits),
      rollbacks: Number(row.rollbacks),
      inserted: Number(row.inserted),
      updated: Number(row.updated),
      deleted: Number(row.deleted),
    };
  }

  /**
   * The backends serving this database (not the bench's own), and the server's shared
   * processes: WAL writer, checkpointer, background writer, autovacuum... and the postmaster.
   * The shared ones work for every database on the server, other users' included.
   */
  async serverPids(): Promise<{ backends: number[]; shared: number[] }> {
    const result = await this.client.query<{ pid: number; shared: boolean }>(
      `select pid, datname is null as shared from pg_stat_activity
        where pid <> pg_backend_pid()
          and (datname = current_database()
               or (datname is null and backend_type <> 'client backend'))`,
    );
    const backends = result.rows.filter((row) => !row.shared).map((row) => row.pid);
    const shared = result.rows.filter((row) => row.shared).map((row) => row.pid);
    const first = result.rows[0];
    if (this.postmasterPid === undefined && first !== undefined) {
      this.postmasterPid = parentPid(first.pid);
    }
    if (this.postmasterPid !== undefined) shared.push(this.postmasterPid);
    return { backends, shared };
  }

  async close(): Promise<void> {
    await this.client.end();
  }
}
