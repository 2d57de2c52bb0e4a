import type { Kysely } from 'kysely';
import { type AuditEntry, GENESIS_HASH, hashAuditEntry } from './entry.js';
import { entryOfRow } from './read.js';
import type { AuditTables } from './table.js';

export interface ChainBreak {
  sequence: number;
  id: string;
  reason: string;
}

export interface ChainVerdict {
  entries: number;
  /** The last entry that checked out: an auditor may keep it to detect a truncated tail later. */
  head: { sequence: number; hash: string } | null;
  /** The first entry that does not follow from the ones before it, or null when intact. */
  broken: ChainBreak | null;
}

const PAGE = 1000;

/**
 * Re-walks one company's chain in sequence order, a page at a time: each entry must
 * carry the next sequence number, link to the previous entry's hash, and hash to what it
 * says. The first entry that fails is named; an edited entry fails its own hash, a
 * deleted one leaves a gap at the next, a reordered pair breaks the links.
 */
export async function verifyAuditChain(
  db: Kysely<AuditTables>,
  companyId: string,
): Promise<ChainVerdict> {
  let expected = { sequence: 1, prevHash: GENESIS_HASH };
  let seen = 0;
  let head: ChainVerdict['head'] = null;
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('company_id', '=', companyId)
      .where('sequence', '>=', expected.sequence as never)
      .orderBy('sequence')
      .limit(PAGE)
      .execute();
    for (const row of rows) {
      const entry = entryOfRow(row);
      const reason = breakOf(entry, expected);
      if (reason) {
        return { entries: seen, head, broken: { sequence: entry.sequence, id: entry.id, reason } };
      }
      seen += 1;
      head = { sequence: entry.sequence, hash: entry.hash };
      expected = { sequence: entry.sequence + 1, prevHash: entry.hash };
    }
    if (rows.length < PAGE) return { entries: seen, head, broken: null };
  }
}

function breakOf(
  entry: AuditEntry,
  expected: { sequence: number; prevHash: string },
): string | null {
  if (entry.sequence !== expected.sequence) {
    return `sequence ${entry.sequence} follows ${expected.sequence - 1}: entries are missing or reordered`;
  }
  if (entry.prev_hash !== expected.prevHash) {
    return 'prev_hash does not match the hash of the entry before it';
  }
  if (hashAuditEntry(entry) !== entry.hash) {
    return 'the entry does not hash to its stored hash: its content was changed';
  }
  return null;
}
