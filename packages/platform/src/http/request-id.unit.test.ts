import { describe, expect, it } from 'vitest';
import { requestIdFor } from './request-id.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdFor', () => {
  it('at the public door, marks a well-formed client id as the client’s', () => {
    expect(requestIdFor('checkout-42', true)).toBe('client:checkout-42');
    // A client cannot pass off an id as the gateway's own, nor pre-mark one.
    expect(requestIdFor('3f1c2a4e-1111-4222-8333-444455556666', true)).toBe(
      'client:3f1c2a4e-1111-4222-8333-444455556666',
    );
    expect(requestIdFor('client:x', true)).toMatch(UUID);
  });

  it('replaces a malformed, overlong or missing id with a new UUID', () => {
    for (const bad of [
      '',
      'a b',
      'x'.repeat(65),
      'line\nbreak',
      '<script>',
      'ünïcode',
      undefined,
    ]) {
      expect(requestIdFor(bad, true)).toMatch(UUID);
    }
    expect(requestIdFor('x'.repeat(129), false)).toMatch(UUID);
  });

  it('behind the gateway, keeps the forwarded id, marked or not', () => {
    expect(requestIdFor('client:checkout-42', false)).toBe('client:checkout-42');
    expect(requestIdFor('3f1c2a4e-1111-4222-8333-444455556666', false)).toBe(
      '3f1c2a4e-1111-4222-8333-444455556666',
    );
  });
});
