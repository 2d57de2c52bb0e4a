import type { ColumnType, Kysely, Migration } from 'kysely';
import { sql } from 'kysely';

/** The audit trail every service keeps in its own schema, as `<schema>.audit_log`. */
export interface AuditLogTable {
  id: string;
  company_id: string;
  /** bigint: pg hands it back as a string. */
  sequence: ColumnType<string, number, never>;
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
  prev_hash: string;
  hash: string;
}

export interface AuditTables {
  audit_log: AuditLogTable;
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
