import { type Kysely, sql } from 'kysely';

// Frozen: a later change is a new migration file.
export async function up(db: Kysely<unknown>): Promise<void> {
  // A resubmission after a send back starts a new round: the steps are replaced, and
  // events name their round so a late one of an earlier round never touches the new one.
  await db.schema
    .alterTable('chain')
    .addColumn('round', 'integer', (c) => c.notNull().defaultTo(1).check(sql`round >= 1`))
    .execute();
  // Seed 002 decides by the pending step's id; a new round's steps get new ids, so an id
  // from a round that was sent back is simply not found.
  await db.schema
    .alterTable('chain_step')
    .addColumn('id', 'uuid', (c) => c.notNull().defaultTo(sql`gen_random_uuid()`))
    .execute();
  await db.schema.createIndex('chain_step_id').unique().on('chain_step').column('id').execute();
}
