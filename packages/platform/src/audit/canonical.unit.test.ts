import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical.js';

describe('canonicalJson', () => {
  it('sorts keys at every depth and leaves no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('gives the same text whatever order the keys were built in', () => {
    const one = { amount: '12.50', currency: 'EUR', tags: ['a', 'b'] };
    const other = { tags: ['a', 'b'], currency: 'EUR', amount: '12.50' };
    expect(canonicalJson(one)).toBe(canonicalJson(other));
  });

  it('keeps array order: a reordered array is another document', () => {
    expect(canonicalJson([1, 2])).not.toBe(canonicalJson([2, 1]));
  });

  it('drops undefined members and writes undefined array items as null, like JSON', () => {
    expect(canonicalJson({ a: undefined, b: null, c: [undefined] })).toBe('{"b":null,"c":[null]}');
  });

  it('writes dates as their ISO strings and escapes strings as JSON does', () => {
    expect(canonicalJson({ at: new Date('2026-11-24T10:00:00.000Z'), s: 'a"b\n\u2028' })).toBe(
      '{"at":"2026-11-24T10:00:00.000Z","s":"a\\"b\\n\u2028"}',
    );
  });

  it('survives a round trip through JSON text unchanged', () => {
    const value = { n: 0.1, big: 12345678901234, neg: -0, nested: { '': true, é: 'ü' } };
    expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(canonicalJson(value));
  });

  it('refuses numbers JSON cannot carry and bigints', () => {
    expect(() => canonicalJson({ n: Number.NaN })).toThrow(/NaN/);
    expect(() => canonicalJson({ n: Number.POSITIVE_INFINITY })).toThrow(/Infinity/);
    expect(() => canonicalJson({ n: 1n })).toThrow(/bigint/);
  });

  it('sorts keys by code unit, not by locale', () => {
    expect(canonicalJson({ b: 1, B: 2, a: 3 })).toBe('{"B":2,"a":3,"b":1}');
  });
});
