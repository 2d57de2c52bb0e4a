import { type Kysely, sql, type Transaction } from 'kysely';
import { type RepeatedRounds, repeatRounds } from '../jobs/repeat-rounds.js';
import type { Logger } from '../logger.js';
import { GENESIS_HASH, hashAuditEntry } from './entry.js';
import { type AuditEntryRow, entryOfRow } from './read.js';
import type { AuditTables } from './table.js';

export interface AuditChainerOptions<DB = AuditTables> {
  /** Any service database: only its audit tables are reached. */
  db: Kysely<DB>;
  /** The service's schema: with the company, it names the chain lock. */
  schema: string;
  /** Entries linked per transaction. */
  batch?: number;
}

const DEFAULT_BATCH = 500;
/** Companies looked at per pass; the next pass takes the rest. */
const COMPANIES_PER_PASS = 100;

/**
 * One pass of the chainer: for every company with queued entries, links them to the
 * company's chain, a batch per transaction. A company another replica is chaining (its
 * chain lock is held) is skipped: that replica links its entries. Returns how many
 * entries this pass linked.
 */
export async function chainAuditEntries<DB>(
  given: AuditChainerOptions<DB> & { logger?: Logger; stopping?: () => boolean },
): Promise<number> {
  // Kysely's types are invariant in the database; only the audit tables are reached here.
  const options = { ...given, db: given.db as unknown as Kysely<AuditTables> };
  // Oldest waiting work first, so a busy company cannot keep others from their turn.
  const companies = await options.db
    .selectFrom('audit_unchained')
    .select('company_id')
    .groupBy('company_id')
    .orderBy(sql`min(entry_id::text)`)
    .limit(COMPANIES_PER_PASS)
    .execute();
  let linked = 0;
  for (const { company_id } of companies) {
    if (given.stopping?.()) break;
    try {
      for (;;) {
        const count = await chainBatch(options, company_id);
        linked += Math.max(count, 0);
        if (count < (options.batch ?? DEFAULT_BATCH) || given.stopping?.()) break;
      }
    } catch (error) {
      // One company's failure (it rolled back; its entries stay queued) must not hold
      // back the companies after it.
      given.logger?.error({ err: error, company_id }, 'audit chaining failed for a company');
    }
  }
  return linked;
}

/** Links up to a batch of one company's queued entries; -1 when another replica holds it. */
async function chainBatch(options: AuditChainerOptions, companyId: string): Promise<number> {
  return options.db.transaction().execute(async (trx) => {
    const locked = await sql<{ locked: boolean }>`
      select pg_try_advisory_xact_lock(hashtext(${`${options.schema}.audit_log`}), hashtext(${companyId})) as locked`.execute(
      trx,
    );
    if (!locked.rows[0]?.locked) return -1;
    // Read under the lock (each statement sees every commit before it): the head is the
    // last link any replica made, and the queue holds only entries nobody linked yet.
    const head = await trx
      .selectFrom('audit_chain')
      .select(['sequence', 'hash'])
      .where('company_id', '=', companyId)
      .orderBy('sequence', 'desc')
      .limit(1)
      .executeTakeFirst();
    const rows = await unchainedEntries(
      trx,
      options.schema,
      companyId,
      options.batch ?? DEFAULT_BATCH,
    );
    if (rows.length === 0) return 0;
    let previous = head
      ? { sequence: Number(head.sequence), hash: head.hash }
      : { sequence: 0, hash: GENESIS_HASH };
    const links = rows.map((row) => {
      const content = {
        ...entryOfRow(row),
        sequence: previous.sequence + 1,
        prev_hash: previous.hash,
      };
      const hash = hashAuditEntry(content);
      const link = {
        company_id: companyId,
        sequence: content.sequence,
        entry_id: content.id,
        prev_hash: content.prev_hash,
        hash,
      };
      previous = { sequence: content.sequence, hash };
      return link;
    });
    await trx.insertInto('audit_chain').values(links).execute();
    // The chain grew: the next checkpoint round signs its new head.
    await trx
      .insertInto('audit_checkpoint_due')
      .values({ company_id: companyId })
      .onConflict((oc) => oc.column('company_id').doNothing())
      .execute();
    await trx
      .deleteFrom('audit_unchained')
      .where(
        'entry_id',
        'in',
        links.map((l) => l.entry_id),
      )
      .execute();
    return links.length;
  });
}

/**
 * Up to `batch` of a company's queued entries not linked yet, oldest first. Read from the
 * queue first, then by primary key: the work is the queue's length, never the trail's
 * (joining the queue to `audit_log` let the planner walk the whole log in id order). A
 * queue row whose entry is already linked is done: it is dropped. One whose entry is
 * missing or belongs to another company is skipped (and left for verify to name), so a
 * page of those does not hold back the rows after it.
 */
async function unchainedEntries(
  trx: Transaction<AuditTables>,
  schema: string,
  companyId: string,
  batch: number,
): Promise<AuditEntryRow[]> {
  let after: string | undefined;
  for (;;) {
    let page = trx
      .selectFrom('audit_unchained')
      .select('entry_id')
      .where('company_id', '=', companyId)
      .orderBy('entry_id')
      .limit(batch);
    if (after !== undefined) page = page.where('entry_id', '>', after);
    const queued = (await page.execute()).map((q) => q.entry_id);
    if (queued.length === 0) return [];
    const entries = await entriesById(trx, schema, queued);
    // An entry is linked only into its own company's chain, and only once.
    const own = entries.filter((e) => e.company_id === companyId);
    const linked = own.filter((e) => e.sequence !== null).map((e) => e.id);
    if (linked.length > 0) {
      await trx.deleteFrom('audit_unchained').where('entry_id', 'in', linked).execute();
    }
    const unlinked = own.filter((e) => e.sequence === null);
    if (unlinked.length > 0 || queued.length < batch) return unlinked;
    after = queued[queued.length - 1];
  }
}

/**
 * The entries with these ids, with their chain place if they have one, each looked up by
 * its key (a lateral lookup per id; `limit 1`, at most one row by key anyway, keeps the
 * planner from flattening it into a join). Written so, no plan can scan the trail: with
 * an IN list or a plain join, a never-analysed table got sequential scans that grew with
 * it. Unknown ids are left out.
 */
async function entriesById(
  trx: Transaction<AuditTables>,
  schema: string,
  ids: readonly string[],
): Promise<AuditEntryRow[]> {
  const result = await sql<AuditEntryRow>`
    select l.id, l.company_id, l.occurred_at, l.actor_kind, l.actor_id, l.actor_role, l.action,
      l.entity_type, l.entity_id, l.before, l.after, l.request_id, l.trace_id,
      c.sequence, c.prev_hash, c.hash
    from unnest(${[...ids]}::uuid[]) as q(entry_id)
    cross join lateral (
      select * from ${sql.id(schema, 'audit_log')} where id = q.entry_id limit 1) as l
    left join lateral (
      select sequence, prev_hash, hash from ${sql.id(schema, 'audit_chain')}
      where entry_id = q.entry_id limit 1) as c on true
    order by l.id`.execute(trx);
  return result.rows;
}

/**
 * Runs chainAuditEntries in the background of each replica: straight on while there is
 * work, otherwise every `pollMs`. Entries are therefore linked within about `pollMs` of
 * their commit. Any number of replicas may run one (see chainBatch). A failed pass (a
 * database hiccup, a lost race on a unique constraint) rolled back: its entries stay
 * queued for the next.
 */
export function startAuditChainer<DB>(
  options: AuditChainerOptions<DB> & { logger: Logger; pollMs: number },
): RepeatedRounds {
  return repeatRounds({
    name: 'audit chaining',
    logger: options.logger,
    intervalMs: options.pollMs,
    round: async (stopping) =>
      (await chainAuditEntries({ ...options, stopping })) > 0 ? 0 : options.pollMs,
  });
}
