import type { KeyObject } from 'node:crypto';
import type { AuditCheckpointV1 } from '@countersign/contracts';
import { type Kysely, sql } from 'kysely';
import { checkAuditCheckpointSignature } from './checkpoint.js';
import { type AuditEntryContent, GENESIS_HASH, hashAuditEntry } from './entry.js';
import { type AuditEntryRow, CHAIN_COLUMNS, ENTRY_COLUMNS, entryOfRow } from './read.js';
import type { AuditTables } from './table.js';

export interface ChainBreak {
  /** The broken place in the chain; null for an entry that was never given one. */
  sequence: number | null;
  /** The entry at that place; null where there is none (a cut tail, a forged checkpoint). */
  id: string | null;
  reason: string;
}

/** How the newest signed checkpoint of the chain fares against it. */
export interface CheckpointCheck {
  sequence: number;
  hash: string;
  signed_at: string;
  key_id: string;
  status: 'holds' | 'signature_invalid' | 'unknown_key' | 'truncated' | 'rewritten';
  /** Places after it, protected only by their hashes until the next checkpoint. */
  unsigned: number;
}

export interface ChainVerdict {
  /** The page walked places after this one. */
  after: number;
  /** Places of this page that checked out before any break. */
  entries: number;
  /** The last place of this page that checked out. */
  head: { sequence: number; hash: string } | null;
  /** The chain's last place as stored (0 when empty). */
  length: number;
  /** Where the next page starts; null when this page reached the end (or broke). */
  next_after: number | null;
  checkpoint: CheckpointCheck | null;
  /** The first place that does not follow from the ones before it, or null when intact. */
  broken: ChainBreak | null;
  /** Of the newest `limit` entries, those not linked yet (the chainer links them shortly after commit). */
  unchained: number;
}

export interface VerifyOptions {
  now?: Date;
  /** An entry still unchained this long after it was written is reported as a break. */
  graceMs?: number;
  /** Walk the places after this one (0: from the start). */
  after?: number;
  /** Places walked at most; the request's cost is bounded by it, whatever the history. */
  limit?: number;
  /**
   * The newest signed checkpoint, read from outside the database, and the public keys
   * that may have signed it: the chain must still pass through it.
   */
  checkpoint?: { latest: AuditCheckpointV1 | null; trusted: ReadonlyMap<string, KeyObject> };
}

const DEFAULT_LIMIT = 1000;
export const UNCHAINED_GRACE_MS = 60_000;

/**
 * Verifies one page of a company's chain (`audit_chain`): the places after `after`, up to
 * `limit`, each with its entry, which must carry the next sequence number, link to the
 * previous hash, have its entry, and hash (with that sequence and prev_hash) to the stored
 * hash. The first place that fails is named: an edited entry fails its hash, a deleted
 * entry leaves its place empty, a deleted place leaves a gap, a reordered pair breaks the
 * links. On every page the newest signed checkpoint is checked too (a few lookups by key):
 * its signature, that the chain still reaches its place (a cut tail) and has its hash
 * there (a rewrite, even one whose later hashes were all recomputed). Of the newest
 * `limit` entries, those not chained yet are counted; one unchained past the grace period
 * is named (the chainer is stopped, or its queue row was removed).
 */
export async function verifyAuditChain(
  db: Kysely<AuditTables>,
  companyId: string,
  options: VerifyOptions = {},
): Promise<ChainVerdict> {
  const after = options.after ?? 0;
  const limit = options.limit ?? DEFAULT_LIMIT;
  const last = await placeAt(db, companyId, 'last');
  const length = last ? Number(last.sequence) : 0;
  const walk = await walkPage(db, companyId, after, limit, length);
  const checkpoint = options.checkpoint?.latest
    ? await checkCheckpoint(
        db,
        companyId,
        options.checkpoint.latest,
        options.checkpoint.trusted,
        length,
      )
    : null;
  const unchained = await unchainedOf(db, companyId, limit);
  const verdict = {
    after,
    length,
    ...walk,
    checkpoint: checkpoint?.check ?? null,
    unchained: unchained.count,
  };
  const broken = walk.broken ?? checkpoint?.broken ?? unchainedBreak(unchained.oldest, options);
  return { ...verdict, broken, next_after: broken ? null : walk.next_after };
}

type PageWalk = Pick<ChainVerdict, 'entries' | 'head' | 'broken' | 'next_after'>;

async function walkPage(
  db: Kysely<AuditTables>,
  companyId: string,
  after: number,
  limit: number,
  length: number,
): Promise<PageWalk> {
  if (after === 0)
    return walkPlaces(db, companyId, { sequence: 1, prevHash: GENESIS_HASH }, limit, length);
  const start = await placeAt(db, companyId, after);
  if (!start) {
    if (after >= length) return { entries: 0, head: null, broken: null, next_after: null };
    return {
      entries: 0,
      head: null,
      next_after: null,
      broken: {
        sequence: after,
        id: null,
        reason: `place ${after}, where this page starts, is missing`,
      },
    };
  }
  return walkPlaces(db, companyId, { sequence: after + 1, prevHash: start.hash }, limit, length);
}

/**
 * Walks up to `limit` places from `expected`, recomputing each; stops at the first break.
 * Shared by verify (a page) and the checkpointer (what it is about to sign).
 */
export async function walkPlaces(
  db: Kysely<AuditTables>,
  companyId: string,
  expected: { sequence: number; prevHash: string },
  limit: number,
  length: number,
): Promise<PageWalk> {
  const rows = await db
    .selectFrom('audit_chain as c')
    .leftJoin('audit_log as l', 'l.id', 'c.entry_id')
    .select([...ENTRY_COLUMNS, ...CHAIN_COLUMNS, 'c.entry_id'])
    .where('c.company_id', '=', companyId)
    .where('c.sequence', '>=', expected.sequence as never)
    .orderBy('c.sequence')
    .limit(limit)
    .execute();
  let next = expected;
  let head: ChainVerdict['head'] = null;
  let seen = 0;
  for (const row of rows) {
    const sequence = Number(row.sequence);
    const reason = breakOf(row, next, companyId);
    if (reason) {
      return {
        entries: seen,
        head,
        broken: { sequence, id: row.entry_id, reason },
        next_after: null,
      };
    }
    seen += 1;
    head = { sequence, hash: row.hash };
    next = { sequence: sequence + 1, prevHash: row.hash };
  }
  const more = rows.length === limit && head !== null && head.sequence < length;
  return { entries: seen, head, broken: null, next_after: more && head ? head.sequence : null };
}

/** One chain place by key: a sequence, or the last one. */
export async function placeAt(
  db: Kysely<AuditTables>,
  companyId: string,
  at: number | 'last',
): Promise<{ sequence: string; hash: string; entry_id: string } | undefined> {
  let query = db
    .selectFrom('audit_chain')
    .select(['sequence', 'hash', 'entry_id'])
    .where('company_id', '=', companyId);
  query =
    at === 'last'
      ? query.orderBy('sequence', 'desc').limit(1)
      : query.where('sequence', '=', at as never);
  return query.executeTakeFirst();
}

/**
 * The newest signed checkpoint against the chain as stored: a signature that does not
 * verify is refused (and named: someone with access to the stream forged it, or it was
 * signed by a key no longer trusted), a chain shorter than it was cut, a chain without its
 * hash at its place was rewritten (the hash of that place covers every place before it).
 */
async function checkCheckpoint(
  db: Kysely<AuditTables>,
  companyId: string,
  checkpoint: AuditCheckpointV1,
  trusted: ReadonlyMap<string, KeyObject>,
  length: number,
): Promise<{ check: CheckpointCheck; broken: ChainBreak | null }> {
  const { sequence, hash, signed_at, key_id } = checkpoint;
  const check = (status: CheckpointCheck['status']): CheckpointCheck => ({
    sequence,
    hash,
    signed_at,
    key_id,
    status,
    unsigned: Math.max(length - sequence, 0),
  });
  const signature = checkAuditCheckpointSignature(checkpoint, trusted);
  if (signature !== 'valid') {
    const why =
      signature === 'unknown_key'
        ? `by key ${key_id}, which is not trusted`
        : 'with a signature that does not verify';
    return {
      check: check(signature),
      broken: {
        sequence,
        id: null,
        reason: `the newest checkpoint (${signed_at}) is signed ${why}: it is refused (forged, or the key was retired without being kept in AUDIT_TRUSTED_KEYS)`,
      },
    };
  }
  if (length < sequence) {
    return {
      check: check('truncated'),
      broken: {
        sequence: length + 1,
        id: null,
        reason: `the chain ends at place ${length}, but a checkpoint signed at ${signed_at} vouches for ${sequence} places: its tail was cut`,
      },
    };
  }
  const place = await placeAt(db, companyId, sequence);
  if (place?.hash !== hash) {
    return {
      check: check('rewritten'),
      broken: {
        sequence,
        id: place?.entry_id ?? null,
        reason: `the chain no longer has the hash a checkpoint signed at ${signed_at} vouches for at this place: the chain up to here was rewritten`,
      },
    };
  }
  return { check: check('holds'), broken: null };
}

function unchainedBreak(oldest: string | null, options: VerifyOptions): ChainBreak | null {
  const writtenAt = oldest ? uuidv7Time(oldest) : null;
  if (!oldest || writtenAt === null) return null;
  const now = (options.now ?? new Date()).getTime();
  if (now - writtenAt <= (options.graceMs ?? UNCHAINED_GRACE_MS)) return null;
  const seconds = Math.round((now - writtenAt) / 1000);
  return {
    sequence: null,
    id: oldest,
    reason: `the entry was written ${seconds} s ago and is still not chained: the chainer is stopped or its queue was altered`,
  };
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

/**
 * Entries not chained yet among the company's newest `limit` (by the listing's index): a
 * bounded look, so an entry left unchained is noticed while it is among the newest.
 */
async function unchainedOf(
  db: Kysely<AuditTables>,
  companyId: string,
  limit: number,
): Promise<{ count: number; oldest: string | null }> {
  const newest = db
    .selectFrom('audit_log as l')
    .select(['l.id', 'l.company_id'])
    .where('l.company_id', '=', companyId)
    .orderBy('l.occurred_at', 'desc')
    .orderBy('l.id', 'desc')
    .limit(limit)
    .as('n');
  const row = await db
    .selectFrom(newest)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('audit_chain as c')
            .select('c.entry_id')
            .whereRef('c.entry_id', '=', 'n.id')
            .whereRef('c.company_id', '=', 'n.company_id')
            .where('c.sequence', '>', '0' as never),
        ),
      ),
    )
    .select(({ fn }) => [
      fn.countAll<string>().as('count'), // min(uuid) exists only from PostgreSQL 16; the text form orders the same.
      sql<string | null>`min(n.id::text)`.as('oldest'),
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
