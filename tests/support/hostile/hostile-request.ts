/**
 * One whole hostile request for an operation: who calls (nobody, a forged token, a demo
 * user), its path parameters, query string, headers and body, each possibly hostile.
 */
import fc from 'fast-check';
import { type HostileBody, hostileBody } from './body-mutations.js';
import { hostileNumber, hostileString, INJECTIONS, PROTOTYPE_KEYS } from './hostile-values.js';
import type { Operation } from './openapi-operations.js';
import { valueFor } from './schema-values.js';

/** A signed-in demo user the generator may call as. */
export interface Caller {
  name: string;
  role: string;
  token: string;
}

export interface HostileRequest {
  operation: Operation;
  method: string;
  /** Path and query, as sent on the request line. */
  target: string;
  /** The path parameters as put into the path, before encoding. */
  pathParams: Record<string, string>;
  headers: Record<string, string>;
  body?: string;
  /** The demo user whose token is sent, if any. */
  caller?: Caller;
  /** Labels for the figures: what is hostile about this request. */
  aspects: string[];
}

/** A JSON body just over the 64 KiB every JSON route takes. */
export const OVERSIZED_JSON = `{"description":"${'x'.repeat(64 * 1024)}"}`;

const FORGED_TOKENS = [
  'Bearer ',
  'Bearer null',
  'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
  'Bearer eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9IV7pAx_Zmeo',
  'Basic Z3JhY2U6Y291bnRlcnNpZ24tZGVtbw==',
  'bearer',
  'Bearer a.b.c.d',
  `Bearer ${'A'.repeat(8000)}`,
  'Bearer \u00ff\u00fe',
];

type Auth =
  | { kind: 'none' }
  | { kind: 'forged'; header: string }
  | { kind: 'user'; caller: Caller };

function authArb(callers: readonly Caller[]): fc.Arbitrary<Auth> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constant<Auth>({ kind: 'none' }) },
    {
      weight: 1,
      arbitrary: fc
        .constantFrom(...FORGED_TOKENS)
        .map((header): Auth => ({ kind: 'forged', header })),
    },
    {
      weight: 4,
      arbitrary: fc.constantFrom(...callers).map((caller): Auth => ({ kind: 'user', caller })),
    },
  );
}

/** Latin-1 only: HTTP header values cannot carry more (the client refuses CR, LF and NUL). */
const headerText = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '\t',
    'x'.repeat(300),
    '\u00e9\u00ff',
    '"unterminated',
    'a, b',
    '"a", "b"',
    '"\\x"',
  ),
  fc.string({
    unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
    maxLength: 40,
  }),
  fc.uuid().map((id) => `"${id}"`),
);

const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/problem+json',
  'application/json; charset=utf-16',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'multipart/form-data; boundary=x',
  'application/jsonx',
  'json',
  '',
  'application/xml',
];

function pathValue(literalSegments: ReadonlySet<string>): fc.Arbitrary<string> {
  return fc
    .oneof(
      {
        weight: 2,
        arbitrary: fc.constantFrom(
          '0197a000-0000-7000-8000-000000000101',
          '0197b000-0000-7000-8000-00000000dead',
        ),
      },
      { weight: 4, arbitrary: hostileString },
      { weight: 1, arbitrary: hostileNumber.map(String) },
      { weight: 1, arbitrary: fc.uuid().map((id) => id.toUpperCase().replace(/-/g, '')) },
    )
    .filter(
      (value) => value !== '' && value !== '.' && value !== '..' && !literalSegments.has(value),
    );
}

/**
 * Percent-encodes like encodeURIComponent, except that a lone surrogate (which that would
 * refuse) goes as the three bytes it would be in UTF-8 if it were allowed there: bytes no
 * UTF-8 decoder accepts.
 */
export function encodeHostile(value: string): string {
  return value.replace(/[\uD800-\uDBFF][\uDC00-\uDFFF]|[\s\S]/g, (unit) => {
    const code = unit.charCodeAt(0);
    if (unit.length === 1 && code >= 0xd800 && code <= 0xdfff) {
      return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
        .map((byte) => `%${byte.toString(16).toUpperCase()}`)
        .join('');
    }
    return encodeURIComponent(unit);
  });
}

/** Odd encodings no URL builder writes: bare `%`, bad escapes, encoded NUL, `+`, `;`. */
const RAW_QUERY_NOISE = [
  '%',
  '%zz',
  '%00',
  '%E0%A4%A',
  'a=%ff',
  '+',
  '&&',
  '==',
  ';x=1',
  '%26%3D',
  'a[b]=1',
  'a[]=1&a[]=2',
];

function queryArb(operation: Operation): fc.Arbitrary<{ text: string; aspects: string[] }> {
  const declared = operation.queryParams.map((parameter) =>
    fc
      .option(
        fc.oneof(
          valueFor(parameter.schema).map((value) => ({ hostile: false, value: String(value) })),
          fc
            .oneof(hostileString, hostileNumber.map(String))
            .map((value) => ({ hostile: true, value })),
        ),
        { nil: undefined },
      )
      .map((picked) => (picked ? { name: parameter.name, ...picked } : undefined)),
  );
  const unknown = fc.array(
    fc.tuple(
      fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), fc.constantFrom(...INJECTIONS)),
      hostileString,
    ),
    { maxLength: 2 },
  );
  const repeated = fc.boolean();
  return fc
    .tuple(
      fc.tuple(...declared),
      unknown,
      fc.option(fc.constantFrom(...RAW_QUERY_NOISE), { nil: undefined }),
      repeated,
    )
    .map(([picked, extra, noise, repeat]) => {
      const pairs: string[] = [];
      const aspects: string[] = [];
      for (const entry of picked) {
        if (!entry) continue;
        if (entry.hostile) aspects.push('hostile-query');
        const pair = `${encodeHostile(entry.name)}=${encodeHostile(entry.value)}`;
        pairs.push(pair);
        if (repeat) pairs.push(pair.replace(/=.*/, '=2'));
      }
      for (const [name, value] of extra)
        pairs.push(`${encodeHostile(name)}=${encodeHostile(value)}`);
      if (extra.length > 0) aspects.push('unknown-query');
      if (noise !== undefined) {
        pairs.push(noise);
        aspects.push('raw-query');
      }
      return { text: pairs.length > 0 ? `?${pairs.join('&')}` : '', aspects };
    });
}

function headersArb(
  operation: Operation,
): fc.Arbitrary<{ headers: Record<string, string>; aspects: string[] }> {
  return fc
    .record(
      {
        idempotencyKey: headerText,
        requestId: headerText,
        forwardedFor: fc.constantFrom(
          '203.0.113.9',
          'not-an-ip',
          '1.1.1.1, 2.2.2.2, ::1',
          '[::1]:80',
          '',
        ),
        accept: fc.constantFrom('*/*', 'application/xml', 'text/html', '', 'application/json;q=0'),
        huge: fc.oneof(
          { weight: 6, arbitrary: fc.constant(undefined) },
          { weight: 1, arbitrary: fc.constantFrom('x'.repeat(9000), 'y'.repeat(20_000)) },
        ),
      },
      { requiredKeys: [] },
    )
    .map((picked) => {
      const headers: Record<string, string> = {};
      const aspects: string[] = [];
      if (picked.idempotencyKey !== undefined && operation.takesIdempotencyKey) {
        headers['idempotency-key'] = picked.idempotencyKey;
        aspects.push('idempotency-key');
      }
      if (picked.requestId !== undefined) headers['x-request-id'] = picked.requestId;
      if (picked.forwardedFor !== undefined) headers['x-forwarded-for'] = picked.forwardedFor;
      if (picked.accept !== undefined) headers.accept = picked.accept;
      if (picked.huge !== undefined) {
        headers['x-padding'] = picked.huge;
        aspects.push('huge-header');
      }
      return { headers, aspects };
    });
}

interface BodyPart {
  body?: string;
  contentType?: string;
  aspects: string[];
}

function bodyArb(operation: Operation): fc.Arbitrary<BodyPart> {
  const schema = operation.body?.schema;
  const none = fc.constant<BodyPart>({ aspects: ['no-body'] });
  if (!schema || operation.body?.mediaType !== 'application/json') {
    // A file route, or a route without a body: junk of the wrong kind, or nothing.
    return fc.oneof(
      none,
      fc
        .tuple(
          fc.constantFrom(...CONTENT_TYPES),
          fc.oneof(hostileString, fc.constant('--x\r\n\r\n--x--')),
        )
        .map(([contentType, body]): BodyPart => ({ body, contentType, aspects: ['junk-body'] })),
    );
  }
  const valid = valueFor(schema).map(
    (value): HostileBody => ({ mutation: 'schema-shaped', text: JSON.stringify(value) }),
  );
  return fc.oneof(
    { weight: 1, arbitrary: none },
    {
      weight: 8,
      arbitrary: fc
        .tuple(
          fc.oneof({ weight: 4, arbitrary: hostileBody(schema) }, { weight: 1, arbitrary: valid }),
          fc.constantFrom(...CONTENT_TYPES.slice(0, 3)),
        )
        .map(
          ([mutated, contentType]): BodyPart => ({
            body: mutated.text,
            contentType,
            aspects: [mutated.mutation],
          }),
        ),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(valid, fc.constantFrom(...CONTENT_TYPES.slice(3))).map(
        ([shaped, contentType]): BodyPart => ({
          body: shaped.text,
          contentType,
          aspects: ['content-type-mismatch'],
        }),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.constant<BodyPart>({
        body: OVERSIZED_JSON,
        contentType: 'application/json',
        aspects: ['oversized'],
      }),
    },
  );
}

/** Every literal segment of the document's paths (`me`, `deleted`…): never a generated id. */
export function literalSegmentsOf(operations: readonly Operation[]): Set<string> {
  return new Set(
    operations.flatMap((operation) =>
      operation.path.split('/').filter((part) => part !== '' && !part.startsWith('{')),
    ),
  );
}

export function hostileRequest(
  operation: Operation,
  callers: readonly Caller[],
  literalSegments: ReadonlySet<string>,
): fc.Arbitrary<HostileRequest> {
  const params = fc.tuple(
    ...operation.pathParams.map((parameter) =>
      pathValue(literalSegments).map((value) => [parameter.name, value] as const),
    ),
  );
  return fc
    .tuple(authArb(callers), params, queryArb(operation), headersArb(operation), bodyArb(operation))
    .map(([auth, paramValues, query, decorations, body]) => {
      const pathParams = Object.fromEntries(paramValues);
      const path = operation.path.replace(/\{(\w+)\}/g, (_, name: string) =>
        encodeHostile(pathParams[name] ?? ''),
      );
      const headers: Record<string, string> = { ...decorations.headers };
      if (auth.kind === 'forged') headers.authorization = auth.header;
      if (auth.kind === 'user') headers.authorization = `Bearer ${auth.caller.token}`;
      if (body.contentType !== undefined) headers['content-type'] = body.contentType;
      const aspects = [
        auth.kind === 'user' ? `as-${auth.caller.role}` : `auth-${auth.kind}`,
        ...query.aspects,
        ...decorations.aspects,
        ...body.aspects,
      ];
      if (operation.pathParams.length > 0) aspects.push('path-params');
      const method = operation.method.toUpperCase();
      const target = `${path}${query.text}`;
      return {
        // What fast-check prints of a counterexample: enough to find it, not the schema.
        [fc.toStringMethod]: () => `${method} ${target.slice(0, 200)} [${aspects.join(',')}]`,
        operation,
        method,
        target,
        pathParams,
        headers,
        ...(body.body !== undefined ? { body: body.body } : {}),
        ...(auth.kind === 'user' ? { caller: auth.caller } : {}),
        aspects,
      };
    });
}
