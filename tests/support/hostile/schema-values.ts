/**
 * Values shaped like a JSON Schema asks (right types, required fields, enum members, UUIDs
 * and dates where the format says so): the base a mutation then breaks in one place, so
 * the refusal it earns is about that place and not the whole body.
 */
import fc from 'fast-check';
import type { JsonSchema } from './openapi-operations.js';

const MAX_DEPTH = 4;

const uuid = fc.constantFrom(
  '0197a000-0000-7000-8000-000000000101',
  '0197a000-0000-7000-8000-000000000201',
  '0197b000-0000-7000-8000-00000000dead',
);

function stringFor(schema: JsonSchema): fc.Arbitrary<string> {
  switch (schema.format) {
    case 'uuid':
      return uuid;
    case 'date':
      return fc.constantFrom('2026-11-20', '2026-01-31');
    case 'date-time':
      return fc.constantFrom('2026-11-20T10:00:00Z');
    case 'email':
      return fc.constantFrom('grace@techcorp.example', 'someone@example.com');
    case 'uri':
      return fc.constantFrom('https://example.com/hook');
    default: {
      const minLength = schema.minLength ?? 0;
      const maxLength = Math.max(minLength, Math.min(schema.maxLength ?? 20, 20));
      return fc.string({ minLength, maxLength });
    }
  }
}

function numberFor(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min =
    schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 0);
  const max = Math.max(min, schema.maximum ?? min + 1000);
  return integer
    ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) })
    : fc.double({ min, max, noNaN: true });
}

export function valueFor(schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  if (schema.enum && schema.enum.length > 0) return fc.constantFrom(...schema.enum);
  if (schema.const !== undefined) return fc.constant(schema.const);
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices && choices.length > 0)
    return fc.oneof(...choices.map((choice) => valueFor(choice, depth)));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      return stringFor(schema);
    case 'integer':
      return numberFor(schema, true);
    case 'number':
      return numberFor(schema, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      if (depth >= MAX_DEPTH) return fc.constant([]);
      return fc.array(valueFor(schema.items ?? {}, depth + 1), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.max(schema.minItems ?? 0, Math.min(schema.maxItems ?? 3, 3)),
      });
    case 'object':
      return objectFor(schema, depth);
    default:
      return schema.properties ? objectFor(schema, depth) : fc.constant('x');
  }
}

function objectFor(schema: JsonSchema, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  if (depth >= MAX_DEPTH) return fc.constant({});
  const required = new Set(schema.required ?? []);
  const fields = Object.fromEntries(
    Object.entries(properties).map(([name, child]) => [name, valueFor(child, depth + 1)]),
  );
  return fc.record(fields, {
    requiredKeys: Object.keys(properties).filter((name) => required.has(name)),
  }) as fc.Arbitrary<Record<string, unknown>>;
}

/** A type other than the schema's, for a wrong-type mutation. */
export function wrongTypeFor(schema: JsonSchema): fc.Arbitrary<unknown> {
  const types = new Set(
    (schema.anyOf ?? schema.oneOf ?? [schema]).flatMap((choice) =>
      Array.isArray(choice.type) ? choice.type : [choice.type ?? 'unknown'],
    ),
  );
  const others: fc.Arbitrary<unknown>[] = [];
  if (!types.has('string'))
    others.push(fc.constantFrom('text', '', '0197a000-0000-7000-8000-000000000101'));
  if (!types.has('number') && !types.has('integer'))
    others.push(fc.constantFrom(0, -1, 1.5, 1e308));
  if (!types.has('boolean')) others.push(fc.boolean());
  if (!types.has('null')) others.push(fc.constant(null));
  if (!types.has('array')) others.push(fc.constantFrom([], ['x'], [{}]));
  if (!types.has('object')) others.push(fc.constantFrom({}, { a: 1 }));
  return fc.oneof(...others);
}
