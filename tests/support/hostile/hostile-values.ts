/**
 * Leaf values a hostile client sends: text meant to break parsers, databases, logs and
 * headers; numbers at and past every limit; keys aimed at object prototypes; nesting deep
 * enough to exhaust a recursive parser.
 */
import fc from 'fast-check';

/** SQL, shell, template, path and log injections, as plain strings. */
export const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE expense.expense; --",
  '1; select pg_sleep(10)',
  "\\'; copy (select '') to program 'id'; --",
  // A template placeholder, meant literally.
  // biome-ignore lint/suspicious/noTemplateCurlyInString: the injection is the literal text
  '${7*7}{{7*7}}<%= 7*7 %>',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '..\\..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  'http://169.254.169.254/latest/meta-data/',
  'file:///etc/passwd',
  '$(id)`id`',
  '{"$gt": ""}',
  'line\r\nX-Injected: yes',
  '\r\n\r\nHTTP/1.1 200 OK\r\n',
  '%0d%0aSet-Cookie:%20x=1',
  '__proto__',
  'constructor',
] as const;

/** Code points that break naive text handling: NUL, lone surrogates, bidi overrides, BOM… */
export const UNICODE_EDGES = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\ud83dy',
  '\u202e' + 'gnp.exe',
  '\u2066\u2067\u2068\u2069',
  '\ufeff',
  '\uffff',
  '\u{10ffff}',
  'e\u0301\u0301\u0301\u0301',
  '\u200b\u200c\u200d',
  '\u0085\u2028\u2029',
  '\u{1f600}'.repeat(40),
  'İı',
  '\u00ad',
] as const;

/** Keys that reach Object.prototype through a careless merge or lookup. */
export const PROTOTYPE_KEYS = [
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'hasOwnProperty',
];

export const hugeString = fc
  .constantFrom(1_000, 10_000, 60_000)
  .chain((length) =>
    fc.constantFrom('a', 'é', '\u{1f600}', '0').map((unit) => unit.repeat(length)),
  );

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...INJECTIONS),
  fc.constantFrom(...UNICODE_EDGES),
  fc
    .tuple(fc.constantFrom(...INJECTIONS), fc.constantFrom(...UNICODE_EDGES))
    .map(([injection, edge]) => `${edge}${injection}${edge}`),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('', ' ', '\t', 'null', 'undefined', 'NaN', 'true', '0', '-1', '1e309'),
  hugeString,
);

export const hostileNumber: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(
    0,
    -0,
    -1,
    0.1,
    1e-320,
    2 ** 31,
    2 ** 53 + 1,
    -(2 ** 63),
    Number.MAX_SAFE_INTEGER,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    Number.MIN_VALUE,
    1e21,
    123456789012.345,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
);

/** A number as JSON text, including forms JSON.stringify never writes. */
export const hostileNumberText: fc.Arbitrary<string> = fc.oneof(
  hostileNumber.map((value) => JSON.stringify(value)),
  fc.constantFrom('1e999', '-1e999', `1${'0'.repeat(400)}`, `0.${'0'.repeat(400)}1`, '-0.0e-0'),
);

/** Arrays or objects nested deep (values small enough to clone and stringify). */
export const deepNesting: fc.Arbitrary<unknown> = fc
  .tuple(fc.constantFrom(64, 512), fc.boolean())
  .map(([depth, asArray]) => {
    let value: unknown = 1;
    for (let level = 0; level < depth; level += 1) value = asArray ? [value] : { a: value };
    return value;
  });

/** JSON text nested deeper than any recursive parser's stack: written as text. */
export const deepNestingText: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(5_000, 20_000), fc.boolean())
  .map(([depth, asArray]) =>
    asArray
      ? `${'['.repeat(depth)}1${']'.repeat(depth)}`
      : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
  );

/** Any JSON value a hostile client might put where something else was expected. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  hostileNumber,
  fc.constantFrom(null, true, false, [], {}, [null], { '': null }),
  fc.dictionary(fc.constantFrom(...PROTOTYPE_KEYS), fc.constantFrom({ polluted: true }, 'x', 1), {
    minKeys: 1,
  }),
  fc.array(hostileString, { maxLength: 3 }),
  deepNesting,
);
