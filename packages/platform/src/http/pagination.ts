import type { z } from 'zod';
import { ValidationError } from '../errors.js';

/** Opaque keyset cursor: the last row's sort key, base64url-encoded JSON. */
export function encodeCursor(key: Record<string, string>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<S extends z.ZodType>(
  schema: S,
  cursor: string | undefined,
): z.infer<S> | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through to the same answer as a cursor of the wrong shape
  }
  throw new ValidationError([{ path: 'cursor', message: 'cursor is not one this API issued' }]);
}

/**
 * Turns `limit + 1` fetched rows into a page: the first `limit` items, and a cursor made
 * from the last of them when the extra row shows there is more.
 */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
  cursorKey: (row: Row) => Record<string, string>,
): { items: Item[]; next_cursor: string | null } {
  const kept = rows.slice(0, limit);
  const last = kept.at(-1);
  return {
    items: kept.map(toItem),
    next_cursor: rows.length > limit && last ? encodeCursor(cursorKey(last)) : null,
  };
}
