/**
 * Canonical JSON for hashing: object keys sorted by UTF-16 code units at every depth, no
 * whitespace, `undefined` members dropped (as JSON.stringify does), values passed through
 * `toJSON` first (Dates become ISO strings). Two values that mean the same JSON document
 * give the same text, whatever order their keys were built in, so an entry hashed before
 * it is stored hashes the same when read back from jsonb (which reorders keys).
 */
export function canonicalJson(value: unknown): string {
  const text = canonical(value);
  if (text === undefined) throw new TypeError('nothing to canonicalise: the value is undefined');
  return text;
}

function canonical(input: unknown): string | undefined {
  const value = withToJson(input);
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`cannot canonicalise the number ${value}`);
      // -0 and 0 are one JSON number; JSON.stringify already writes both as "0".
      return JSON.stringify(value);
    case 'bigint':
      throw new TypeError('cannot canonicalise a bigint: convert it to a string first');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      return Array.isArray(value) ? canonicalArray(value) : canonicalObject(value as object);
  }
}

function withToJson(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && 'toJSON' in value) {
    const toJson = (value as { toJSON: unknown }).toJSON;
    if (typeof toJson === 'function') return toJson.call(value);
  }
  return value;
}

function canonicalArray(values: unknown[]): string {
  // Inside arrays JSON.stringify writes undefined as null; so do we.
  return `[${values.map((v) => canonical(v) ?? 'null').join(',')}]`;
}

function canonicalObject(value: object): string {
  const members: string[] = [];
  for (const key of Object.keys(value).sort()) {
    const text = canonical((value as Record<string, unknown>)[key]);
    if (text !== undefined) members.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${members.join(',')}}`;
}
