/**
 * Hostile JSON bodies for a schema: a schema-shaped value broken in one chosen way (a
 * wrong type, a missing or an extra field, a hostile value, deep nesting, the wrong root),
 * or JSON text no parser should take (malformed, escaped lone surrogates, numbers past
 * double range, duplicate keys).
 */
import fc from 'fast-check';
import {
  deepNesting,
  deepNestingText,
  hostileJson,
  hostileNumber,
  hostileNumberText,
  hostileString,
  INJECTIONS,
  PROTOTYPE_KEYS,
  UNICODE_EDGES,
} from './hostile-values.js';
import type { JsonSchema } from './openapi-operations.js';
import { valueFor, wrongTypeFor } from './schema-values.js';

export interface HostileBody {
  /** What was done to the body, for the figures and a failure's report. */
  mutation: string;
  text: string;
}

interface FieldSlot {
  path: string[];
  schema: JsonSchema;
  required: boolean;
}

/** The fields of an object schema, nested ones too (two levels). */
function fieldSlots(schema: JsonSchema, prefix: string[] = []): FieldSlot[] {
  if (prefix.length >= 2) return [];
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).flatMap(([name, child]) => [
    { path: [...prefix, name], schema: child, required: required.has(name) },
    ...fieldSlots(child, [...prefix, name]),
  ]);
}

/** Sets `key` as an own property, even `__proto__` (an assignment would set the prototype). */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A copy of `base` with the value at `path` replaced (or removed, with `remove`). */
function withField(base: unknown, path: string[], value: unknown, remove = false): unknown {
  const root: Record<string, unknown> = isRecord(base) ? structuredClone(base) : {};
  let parent = root;
  for (const key of path.slice(0, -1)) {
    const next = parent[key];
    if (!isRecord(next)) setOwn(parent, key, {});
    parent = parent[key] as Record<string, unknown>;
  }
  const last = path[path.length - 1] ?? 'field';
  if (remove) delete parent[last];
  else setOwn(parent, last, value);
  return root;
}

/** Stands in for a value written into the JSON text afterwards. */
const MARKER = '@@hostile-marker@@';

const json = (mutation: string) => (value: unknown) => ({ mutation, text: JSON.stringify(value) });

export function hostileBody(schema: JsonSchema): fc.Arbitrary<HostileBody> {
  const base = valueFor(schema);
  const slots = fieldSlots(schema);
  const required = slots.filter((slot) => slot.required);
  const mutations: fc.Arbitrary<HostileBody>[] = [
    hostileJson.map(json('wrong-root')),
    deepNestingText.map((text) => ({ mutation: 'deep-nesting', text })),
    base.chain((value) =>
      fc
        .tuple(
          fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS), fc.string({ maxLength: 12 })),
          hostileJson,
        )
        .map(([key, extra]) => json('extra-field')(withField(value, [key], extra))),
    ),
    base
      .map((value) => {
        const text = JSON.stringify(value) ?? 'null';
        return { mutation: 'malformed-json', text };
      })
      .chain(({ text }) =>
        fc
          .constantFrom(
            text.slice(0, -1),
            `${text}}`,
            `${text},`,
            text.replace(/"/g, "'"),
            `{"a":NaN}`,
            `{"a":undefined}`,
            `\ufeff${text}`,
            '',
            '{',
            '[1,]',
            '{"a" 1}',
          )
          .map((malformed) => ({ mutation: 'malformed-json', text: malformed })),
      ),
  ];
  if (slots.length > 0) {
    const slot = fc.constantFrom(...slots);
    mutations.push(
      fc
        .tuple(base, slot)
        .chain(([value, chosen]) =>
          wrongTypeFor(chosen.schema).map((wrong) =>
            json('wrong-type')(withField(value, chosen.path, wrong)),
          ),
        ),
      fc
        .tuple(base, slot, fc.oneof(hostileString, hostileNumber))
        .map(([value, chosen, hostile]) =>
          json('hostile-value')(withField(value, chosen.path, hostile)),
        ),
      fc
        .tuple(base, slot, deepNesting)
        .map(([value, chosen, deep]) => json('deep-nesting')(withField(value, chosen.path, deep))),
      fc.tuple(base, slot, hostileNumberText).map(([value, chosen, number]) => {
        const text = JSON.stringify(withField(value, chosen.path, MARKER));
        return { mutation: 'number-text', text: text.replace(JSON.stringify(MARKER), number) };
      }),
      fc.tuple(base, slot).map(([value, chosen]) => {
        const text = JSON.stringify(withField(value, chosen.path, MARKER));
        return { mutation: 'lone-surrogate', text: text.replace(MARKER, '\\ud800x') };
      }),
      fc.tuple(base, slot, hostileString).map(([value, chosen, hostile]) => {
        const text = JSON.stringify(value) ?? '{}';
        const duplicate = `${JSON.stringify(chosen.path[0])}:${JSON.stringify(hostile)}`;
        return {
          mutation: 'duplicate-key',
          text: text.startsWith('{') && text.length > 2 ? `{${duplicate},${text.slice(1)}` : text,
        };
      }),
    );
  }
  const freeText = slots.filter(
    (chosen) => chosen.schema.type === 'string' && !chosen.schema.format && !chosen.schema.enum,
  );
  if (freeText.length > 0) {
    // Hostile text short enough for the field: the contract takes it, so it reaches the
    // use case and the database (NUL, lone halves of a pair, bidi overrides, SQL).
    mutations.push(
      fc
        .tuple(base, fc.constantFrom(...freeText), fc.constantFrom(...UNICODE_EDGES, ...INJECTIONS))
        .map(([value, chosen, text]) => {
          const fitted = `x${text}`.slice(0, chosen.schema.maxLength ?? 200);
          return json('hostile-text')(withField(value, chosen.path, fitted));
        }),
    );
  }
  if (required.length > 0) {
    mutations.push(
      fc
        .tuple(base, fc.constantFrom(...required))
        .map(([value, chosen]) =>
          json('missing-field')(withField(value, chosen.path, undefined, true)),
        ),
    );
  }
  return fc.oneof(...mutations);
}
