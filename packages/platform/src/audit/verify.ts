import { type Kysely, sql } from 'kysely';
import { type AuditEntryContent, GENESIS_HASH, hashAuditEntry } from './entry.js';
import { type AuditEntryRow, CHAIN_COLUMNS, ENTRY_COLUMNS, entryOfRow } from './read.js';
import type { AuditTables } from './table.js';

export interface ChainBreak {
  /** The broken place in the chain; null for an entry that was never given one. */
  sequence: number | null;
  id: string;
  reason: string;
}

export interface ChainVerdict {
  entries: number;
  /** The last entry that checked out: an auditor may keep it to detect a truncated tail later. */
  head: { sequence: number; hash: string } | null;
  /** The first entry that does not follow from the ones before it, or null when intact. */
  broken: ChainBreak | null;
  /** Entries written but not linked yet (the chainer links them shortly after commit). */
  unchained: number;
}

export interface VerifyOptions {
  now?: Date;
  /** An entry still unchained this long after it was written is reported as a break. */
  graceMs?: number;
}

const PAGE = 1000;
export const UNCHAINED_GRACE_MS = 60_000;

/**
 * Re-walks one company's chain (`audit_chain`) in sequence order, a page at a time, with
 * each place's entry: each must carry the next sequence number, link to the previous
 * hash, have its entry, and the entry must hash (with that sequence and prev_hash) to the
 * stored hash. The first place that fails is named: an edited entry fails its hash, a
 * deleted entry leaves its place empty, a deleted place leaves a gap, a reordered pair
 * breaks the links. Entries not chained yet are counted; one unchained past the grace
 * period is named too (the chainer is stopped, or its queue row was removed).
 */
export async function verifyAuditChain(
  db: Kysely<AuditTables>,
  companyId: string,
  options: VerifyOptions = {},
): Promise<ChainVerdict> {
  const walk = await walkChain(db, companyId);
  const unchained = await unchainedOf(db, companyId);
  if (walk.broken || !unchained.oldest) return { ...walk, unchained: unchained.count };
  const writtenAt = uuidv7Time(unchained.oldest);
  const now = (options.now ?? new Date()).getTime();
  const grace = options.graceMs ?? UNCHAINED_GRACE_MS;
  if (writtenAt === null || now - writtenAt <= grace) {
    return { ...walk, unchained: unchained.count };
  }
  const seconds = Math.round((now - writtenAt) / 1000);
  return {
    ...walk,
    unchained: unchained.count,
    broken: {
      sequence: null,
      id: unchained.oldest,
      reason: `the entry was written ${seconds} s ago and is still not chained: the chainer is stopped or its queue was altered`,
    },
  };
}

async function walkChain(
  db: Kysely<AuditTables>,
  companyId: string,
): Promise<Omit<ChainVerdict, 'unchained'>> {
  let expected = { sequence: 1, prevHash: GENESIS_HASH };
  let seen = 0;
  let head: ChainVerdict['head'] = null;
  for (;;) {
    const rows = await db
      .selectFrom('audit_chain as c')
      .leftJoin('audit_log as l', 'l.id', 'c.entry_id')
      .select([...ENTRY_COLUMNS, ...CHAIN_COLUMNS, 'c.entry_id'])
      .where('c.company_id', '=', companyId)
      .where('c.sequence', '>=', expected.sequence as never)
      .orderBy('c.sequence')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      const sequence = Number(row.sequence);
      const reason = breakOf(row, expected, companyId);
      if (reason) {
        return { entries: seen, head, broken: { sequence, id: row.entry_id, reason } };
      }
      seen += 1;
      head = { sequence, hash: row.hash };
      expected = { sequence: sequence + 1, prevHash: row.hash };
    }
    if (rows.length < PAGE) return { entries: seen, head, broken: null };
  }
}

/** A chain place and its entry, whose columns are all null when the entry is gone. */
type WalkRow = { [K in keyof AuditEntryRow]: AuditEntryRow[K] | null } & {
  entry_id: string;
  sequence: string;
  prev_hash: string;
  hash: string;
};

function breakOf(
  row: WalkRow,
  expected: { sequence: number; prevHash: string },
  companyId: string,
): string | null {
  const sequence = Number(row.sequence);
  if (sequence !== expected.sequence) {
    return `sequence ${sequence} follows ${expected.sequence - 1}: entries are missing or reordered`;
  }
  if (row.prev_hash !== expected.prevHash) {
    return 'prev_hash does not match the hash of the entry before it';
  }
  // The left join found no entry: the place is there, what it held was deleted.
  if (row.id === null) return 'the entry at this place was deleted';
  if (row.company_id !== companyId) return "the entry at this place is another company's";
  const content: AuditEntryContent = {
    ...entryOfRow(row as AuditEntryRow),
    sequence,
    prev_hash: expected.prevHash,
  };
  if (hashAuditEntry(content) !== row.hash) {
    return 'the entry does not hash to its stored hash: its content was changed';
  }
  return null;
}

async function unchainedOf(
  db: Kysely<AuditTables>,
  companyId: string,
): Promise<{ count: number; oldest: string | null }> {
  const row = await db
    .selectFrom('audit_log as l')
    .where('l.company_id', '=', companyId)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('audit_chain as c')
            .select('c.entry_id')
            .whereRef('c.entry_id', '=', 'l.id')
            .whereRef('c.company_id', '=', 'l.company_id')
            .where('c.sequence', '>', '0' as never),
        ),
      ),
    )
    .select(({ fn }) => [
      fn.countAll<string>().as('count'), // min(uuid) exists only from PostgreSQL 16; the text form orders the same.
      sql<string | null>`min(l.id::text)`.as('oldest'),
    ])
    .executeTakeFirstOrThrow();
  return { count: Number(row.count), oldest: row.oldest ?? null };
}

/** When a uuidv7 was made (its first 48 bits are Unix milliseconds); null for other ids. */
export function uuidv7Time(id: string): number | null {
  const hex = id.replace(/-/g, '');
  if (hex.length !== 32 || hex[12] !== '7') return null;
  return Number.parseInt(hex.slice(0, 12), 16);
}
