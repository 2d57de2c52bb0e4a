import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decideKeyUse,
  type IdempotencyPolicy,
  isFinalAnswer,
  type KeyRecord,
  parseIdempotencyKey,
  requestFingerprint,
} from './idempotency.js';

const policy: IdempotencyPolicy = { retentionMs: 24 * 3_600_000, leaseMs: 60_000 };
const t0 = new Date('2026-11-24T10:00:00Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const created = { status: 201, contentType: 'application/json', body: '{"expense_id":"e1"}' };

const running = (overrides: Partial<KeyRecord> = {}): KeyRecord => ({
  fingerprint: 'fp-a',
  createdAt: t0,
  leaseUntil: at(policy.leaseMs),
  response: null,
  ...overrides,
});
const answered = (overrides: Partial<KeyRecord> = {}): KeyRecord =>
  running({ leaseUntil: null, response: created, ...overrides });

describe('parseIdempotencyKey', () => {
  it('takes the draft’s Structured Field String and the bare value as the same key', () => {
    expect(parseIdempotencyKey('"8e03978e-40d5-43e8-bc93-6894a57f9324"')).toEqual({
      valid: true,
      key: '8e03978e-40d5-43e8-bc93-6894a57f9324',
    });
    expect(parseIdempotencyKey('8e03978e-40d5-43e8-bc93-6894a57f9324')).toEqual({
      valid: true,
      key: '8e03978e-40d5-43e8-bc93-6894a57f9324',
    });
  });

  it('unescapes \\" and \\\\ inside a quoted key', () => {
    expect(parseIdempotencyKey('"a\\"b\\\\c"')).toEqual({ valid: true, key: 'a"b\\c' });
  });

  it('accepts 1 and 255 characters and refuses 0 and 256', () => {
    expect(parseIdempotencyKey('x').valid).toBe(true);
    expect(parseIdempotencyKey('x'.repeat(255)).valid).toBe(true);
    expect(parseIdempotencyKey('')).toMatchObject({ valid: false, reason: 'the key is empty' });
    expect(parseIdempotencyKey('""')).toMatchObject({ valid: false, reason: 'the key is empty' });
    expect(parseIdempotencyKey('x'.repeat(256))).toMatchObject({ valid: false });
    expect(parseIdempotencyKey(`"${'x'.repeat(256)}"`)).toMatchObject({ valid: false });
  });

  it.each([
    ['"unterminated', 'no closing quote'],
    ['"a", "b"', 'two header lines joined'],
    ['"a\\nb"', 'an escape RFC 8941 does not have'],
    ['"a"b', 'text after the closing quote'],
    ['caf\u00e9', 'a non-ASCII character'],
    ['tab\there', 'a control character'],
  ])('refuses %s (%s)', (value) => {
    expect(parseIdempotencyKey(value).valid).toBe(false);
  });

  it('accepts every printable-ASCII key of 1..255 characters, quoted or bare, as itself', () => {
    const printable = fc.string({
      unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
      minLength: 1,
      maxLength: 255,
    });
    fc.assert(
      fc.property(printable, (key) => {
        const quoted = `"${key.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
        expect(parseIdempotencyKey(quoted)).toEqual({ valid: true, key });
        // A bare value is trimmed like any header value, so only untrimmed keys round-trip.
        if (key.trim() === key && !key.startsWith('"')) {
          expect(parseIdempotencyKey(key)).toEqual({ valid: true, key });
        }
      }),
    );
  });
});

describe('requestFingerprint', () => {
  const base = { method: 'POST', path: '/api/expenses', body: '{"amount":12.5,"description":"x"}' };

  it('is the same for the same JSON in another key order or spacing', () => {
    expect(requestFingerprint(base)).toBe(
      requestFingerprint({ ...base, body: '{ "description": "x",\n  "amount": 12.5 }' }),
    );
    expect(requestFingerprint({ ...base, method: 'post' })).toBe(requestFingerprint(base));
  });

  it('differs when the method, the path, the query or any value differs', () => {
    const fingerprint = requestFingerprint(base);
    expect(requestFingerprint({ ...base, method: 'PATCH' })).not.toBe(fingerprint);
    expect(requestFingerprint({ ...base, path: '/api/teams' })).not.toBe(fingerprint);
    expect(requestFingerprint({ ...base, path: '/api/expenses?x=1' })).not.toBe(fingerprint);
    expect(requestFingerprint({ ...base, body: '{"amount":12.51,"description":"x"}' })).not.toBe(
      fingerprint,
    );
    expect(requestFingerprint({ ...base, body: '{"amount":12.5,"description":["x"]}' })).not.toBe(
      fingerprint,
    );
  });

  it('counts a body that is not JSON byte for byte', () => {
    expect(requestFingerprint({ ...base, body: 'a=1' })).not.toBe(
      requestFingerprint({ ...base, body: 'a=1 ' }),
    );
    expect(requestFingerprint({ ...base, body: '' })).toMatch(/^[0-9a-f]{64}$/);
  });

  it('ignores key order at every depth (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (object) => {
        const reversed = Object.fromEntries(Object.entries(object).reverse());
        expect(requestFingerprint({ ...base, body: JSON.stringify(reversed) })).toBe(
          requestFingerprint({ ...base, body: JSON.stringify(object) }),
        );
      }),
    );
  });
});

describe('decideKeyUse', () => {
  it('runs a request whose key was never used', () => {
    expect(decideKeyUse(undefined, 'fp-a', t0, policy)).toEqual({ outcome: 'run' });
  });

  it('replays the answer of the same request, an error answer too', () => {
    expect(decideKeyUse(answered(), 'fp-a', at(5_000), policy)).toEqual({
      outcome: 'replay',
      response: created,
    });
    const refused = { status: 422, contentType: 'application/problem+json', body: '{}' };
    expect(decideKeyUse(answered({ response: refused }), 'fp-a', at(5_000), policy)).toEqual({
      outcome: 'replay',
      response: refused,
    });
  });

  it('refuses a different request under the key, answered or still running', () => {
    expect(decideKeyUse(answered(), 'fp-b', at(5_000), policy)).toEqual({ outcome: 'mismatch' });
    expect(decideKeyUse(running(), 'fp-b', at(5_000), policy)).toEqual({ outcome: 'mismatch' });
    // A claim that ran out still binds the key to its request.
    expect(decideKeyUse(running(), 'fp-b', at(120_000), policy)).toEqual({ outcome: 'mismatch' });
  });

  it('answers in-flight while the first request holds its lease, with the seconds left', () => {
    expect(decideKeyUse(running(), 'fp-a', at(1_000), policy)).toEqual({
      outcome: 'in-flight',
      retryAfterSeconds: 59,
    });
    expect(decideKeyUse(running(), 'fp-a', at(59_900), policy)).toEqual({
      outcome: 'in-flight',
      retryAfterSeconds: 1,
    });
  });

  it('lets a retry take over a claim whose lease ran out (the first request died)', () => {
    expect(decideKeyUse(running(), 'fp-a', at(60_000), policy)).toEqual({ outcome: 'run' });
    expect(decideKeyUse(running({ leaseUntil: null }), 'fp-a', at(1), policy)).toEqual({
      outcome: 'run',
    });
  });

  it('treats an expired key as new, whatever it was used for', () => {
    const dayLater = at(policy.retentionMs);
    expect(decideKeyUse(answered(), 'fp-b', dayLater, policy)).toEqual({ outcome: 'run' });
    expect(decideKeyUse(answered(), 'fp-a', dayLater, policy)).toEqual({ outcome: 'run' });
    expect(decideKeyUse(answered(), 'fp-a', at(policy.retentionMs - 1), policy)).toMatchObject({
      outcome: 'replay',
    });
  });

  it('never replays or runs a different request within the key’s lifetime (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: policy.retentionMs - 1 }),
        fc.boolean(),
        fc.option(fc.integer({ min: -policy.leaseMs, max: policy.leaseMs })),
        (ageMs, hasAnswer, leaseOffsetMs) => {
          const record: KeyRecord = {
            fingerprint: 'fp-a',
            createdAt: t0,
            leaseUntil: leaseOffsetMs === null ? null : at(ageMs + leaseOffsetMs),
            response: hasAnswer ? created : null,
          };
          expect(decideKeyUse(record, 'fp-b', at(ageMs), policy)).toEqual({ outcome: 'mismatch' });
          const same = decideKeyUse(record, 'fp-a', at(ageMs), policy);
          if (hasAnswer) expect(same.outcome).toBe('replay');
          else expect(same.outcome).not.toBe('replay');
        },
      ),
    );
  });
});

describe('isFinalAnswer', () => {
  it('keeps successes and refusals of the request', () => {
    for (const status of [200, 201, 204, 400, 403, 404, 413, 415, 422]) {
      expect(isFinalAnswer(status), String(status)).toBe(true);
    }
  });

  it('releases the key on server errors and on answers a retry may change', () => {
    for (const status of [500, 502, 503, 504, 401, 408, 409, 425, 429, 302]) {
      expect(isFinalAnswer(status), String(status)).toBe(false);
    }
  });
});
