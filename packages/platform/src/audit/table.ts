import type { ColumnType, Kysely, Migration } from 'kysely';
import { sql } from 'kysely';

/** The audit trail every service keeps in its own schema, as `<schema>.audit_log`. */
export interface AuditLogTable {
  id: string;
  company_id: string;
  /**
   * Legacy chain columns: filled only on entries written before the chain moved to
   * `audit_chain` (migration 2026-11-25T1500), which copied them there; null on newer
   * entries and never read. bigint: pg hands it back as a string.
   */
  sequence: ColumnType<string | null, never, never>;
  occurred_at: ColumnType<Date, Date, never>;
  actor_kind: string;
  actor_id: string;
  actor_role: string | null;
  action: string;
  entity_type: string;
  entity_id: string | null;
  before: ColumnType<unknown, string | null, never>;
  after: ColumnType<unknown, string | null, never>;
  request_id: string | null;
  trace_id: string | null;
  prev_hash: ColumnType<string | null, never, never>;
  hash: ColumnType<string | null, never, never>;
}

/** `<schema>.audit_chain`: each entry's place in its company's chain, append-only too. */
export interface AuditChainTable {
  company_id: string;
  /** bigint: pg hands it back as a string. */
  sequence: ColumnType<string, number, never>;
  entry_id: string;
  prev_hash: string;
  hash: string;
  chained_at: ColumnType<Date, never, never>;
}

/** `<schema>.audit_unchained`: the chainer's queue, one row per entry not yet chained. */
export interface AuditUnchainedTable {
  entry_id: string;
  company_id: string;
}

/** `<schema>.audit_checkpoint_due`: companies whose chain grew since their last checkpoint. */
export interface AuditCheckpointDueTable {
  company_id: string;
}

/** `<schema>.audit_checkpoint_round`: one row; the replica that moves `next_at` runs the round. */
export interface AuditCheckpointRoundTable {
  id: ColumnType<number, number, never>;
  next_at: Date;
}

export interface AuditTables {
  audit_log: AuditLogTable;
  audit_chain: AuditChainTable;
  audit_unchained: AuditUnchainedTable;
  audit_checkpoint_due: AuditCheckpointDueTable;
  audit_checkpoint_round: AuditCheckpointRoundTable;
}

/**
 * Frozen migration creating `<schema>.audit_log`: append-only by triggers that refuse
 * UPDATE and DELETE (per row) and TRUNCATE (per statement) whoever asks, the table's
 * owner included; (company_id, sequence) unique so two appends can never share a place
 * in a chain. The service role's grants (INSERT and SELECT only here) are applied by
 * grantServiceRole after every migration run.
 */
export function auditTrailMigration(schema: string): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('audit_log')
        .addColumn('id', 'uuid', (c) => c.primaryKey())
        .addColumn('company_id', 'uuid', (c) => c.notNull())
        .addColumn('sequence', 'bigint', (c) => c.notNull())
        .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
        .addColumn('actor_kind', 'text', (c) =>
          c.notNull().check(sql`actor_kind in ('user', 'system', 'service')`),
        )
        .addColumn('actor_id', 'text', (c) => c.notNull())
        .addColumn('actor_role', 'text')
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('entity_type', 'text', (c) => c.notNull())
        .addColumn('entity_id', 'text')
        .addColumn('before', 'jsonb')
        .addColumn('after', 'jsonb')
        .addColumn('request_id', 'text')
        .addColumn('trace_id', 'text')
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addUniqueConstraint('audit_log_chain_place', ['company_id', 'sequence'])
        .execute();
      // Newest first per company is how the trail is read and paged.
      await db.schema
        .createIndex('audit_log_by_time')
        .on('audit_log')
        .columns(['company_id', 'occurred_at desc', 'id desc'])
        .execute();
      await sql`
        create function ${sql.id(schema, 'audit_log_refuse_change')}() returns trigger
        language plpgsql as $$
        begin
          raise exception 'the audit trail is append-only: % refused on %.%',
            tg_op, tg_table_schema, tg_table_name
            using errcode = 'insufficient_privilege';
        end $$`.execute(db);
      await sql`
        create trigger audit_log_no_update_or_delete before update or delete
        on ${sql.id(schema, 'audit_log')}
        for each row execute function ${sql.id(schema, 'audit_log_refuse_change')}()`.execute(db);
      await sql`
        create trigger audit_log_no_truncate before truncate
        on ${sql.id(schema, 'audit_log')}
        for each statement execute function ${sql.id(schema, 'audit_log_refuse_change')}()`.execute(
        db,
      );
    },
  };
}

/**
 * Frozen migration moving the chain out of `<schema>.audit_log` (whose rows cannot be
 * updated) into `<schema>.audit_chain`, extended by the chainer after commit instead of
 * under a lock inside every business transaction. Existing entries keep their legacy
 * sequence/prev_hash/hash columns and get the same values as chain rows, so their hashes
 * still verify; those columns become nullable and stay null on new entries. A trigger
 * queues every new entry in `<schema>.audit_unchained` for the chainer.
 */
export function auditChainMigration(schema: string): Migration {
  return {
    async up(db: Kysely<unknown>) {
      const log = sql.id(schema, 'audit_log');
      for (const column of ['sequence', 'prev_hash', 'hash']) {
        await sql`alter table ${log} alter column ${sql.id(column)} drop not null`.execute(db);
      }
      await db.schema
        .createTable('audit_chain')
        .addColumn('company_id', 'uuid', (c) => c.notNull())
        .addColumn('sequence', 'bigint', (c) => c.notNull())
        .addColumn('entry_id', 'uuid', (c) => c.notNull().unique())
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .addColumn('chained_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
        .addUniqueConstraint('audit_chain_place', ['company_id', 'sequence'])
        .execute();
      await sql`
        insert into ${sql.id(schema, 'audit_chain')} (company_id, sequence, entry_id, prev_hash, hash)
        select company_id, sequence, id, prev_hash, hash from ${log}`.execute(db);
      await refuseChanges(db, schema, 'audit_chain');
      await db.schema
        .createTable('audit_unchained')
        .addColumn('entry_id', 'uuid', (c) => c.primaryKey())
        .addColumn('company_id', 'uuid', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('audit_unchained_by_company')
        .on('audit_unchained')
        .columns(['company_id', 'entry_id'])
        .execute();
      // Queued by the database, not by appendAudit: no entry can be written unqueued.
      await sql`
        create function ${sql.id(schema, 'audit_log_queue_for_chain')}() returns trigger
        language plpgsql as $$
        begin
          insert into ${sql.id(schema, 'audit_unchained')} (entry_id, company_id)
            values (new.id, new.company_id);
          return null;
        end $$`.execute(db);
      await sql`
        create trigger audit_log_queue_for_chain after insert on ${log}
        for each row execute function ${sql.id(schema, 'audit_log_queue_for_chain')}()`.execute(db);
    },
  };
}

/**
 * Frozen migration for signed checkpoints: the chainer marks a company due when its chain
 * grows (`audit_checkpoint_due`), and the checkpoint round is claimed by moving the one row
 * of `audit_checkpoint_round`, so one replica runs each round. The checkpoints themselves
 * are not kept here: they go to JetStream, out of the table owner's reach. Every existing
 * chain is due at once.
 */
export function auditCheckpointMigration(schema: string): Migration {
  return {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('audit_checkpoint_due')
        .addColumn('company_id', 'uuid', (c) => c.primaryKey())
        .execute();
      await db.schema
        .createTable('audit_checkpoint_round')
        .addColumn('id', 'smallint', (c) => c.primaryKey().check(sql`id = 1`))
        .addColumn('next_at', 'timestamptz', (c) => c.notNull())
        .execute();
      await sql`insert into ${sql.id(schema, 'audit_checkpoint_round')} (id, next_at) values (1, '-infinity')`.execute(
        db,
      );
      await sql`
        insert into ${sql.id(schema, 'audit_checkpoint_due')} (company_id)
        select distinct company_id from ${sql.id(schema, 'audit_chain')}`.execute(db);
    },
  };
}

async function refuseChanges(db: Kysely<unknown>, schema: string, table: string): Promise<void> {
  const refuse = sql.id(schema, 'audit_log_refuse_change');
  await sql`
    create trigger ${sql.id(`${table}_no_update_or_delete`)} before update or delete
    on ${sql.id(schema, table)} for each row execute function ${refuse}()`.execute(db);
  await sql`
    create trigger ${sql.id(`${table}_no_truncate`)} before truncate
    on ${sql.id(schema, table)} for each statement execute function ${refuse}()`.execute(db);
}
