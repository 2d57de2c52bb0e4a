import { describe, expect, it } from 'vitest';
import { clientAddress, rateLimitVerdict, tightestVerdict } from './rate-limit.js';

describe('rate-limit verdict', () => {
  it('allows up to the limit and counts down what is left', () => {
    expect(rateLimitVerdict({ hits: 1, limit: 3, resetSeconds: 42 })).toEqual({
      allowed: true,
      limit: 3,
      remaining: 2,
      resetSeconds: 42,
      retryAfterSeconds: 0,
    });
    expect(rateLimitVerdict({ hits: 3, limit: 3, resetSeconds: 42 })).toMatchObject({
      allowed: true,
      remaining: 0,
    });
  });

  it('refuses past the limit until the window resets', () => {
    expect(rateLimitVerdict({ hits: 4, limit: 3, resetSeconds: 42 })).toEqual({
      allowed: false,
      limit: 3,
      remaining: 0,
      resetSeconds: 42,
      retryAfterSeconds: 42,
    });
  });

  it('never tells a client to retry in less than a second', () => {
    expect(rateLimitVerdict({ hits: 9, limit: 3, resetSeconds: 0 }).retryAfterSeconds).toBe(1);
    expect(rateLimitVerdict({ hits: 9, limit: 3, resetSeconds: 0.2 }).retryAfterSeconds).toBe(1);
  });

  it('shows a refusal before any allowance, and else the limit closest to running out', () => {
    const roomy = rateLimitVerdict({ hits: 1, limit: 100, resetSeconds: 10 });
    const tight = rateLimitVerdict({ hits: 9, limit: 10, resetSeconds: 50 });
    const refused = rateLimitVerdict({ hits: 11, limit: 10, resetSeconds: 30 });
    expect(tightestVerdict([roomy, tight])).toBe(tight);
    expect(tightestVerdict([roomy, refused, tight])).toBe(refused);
    expect(tightestVerdict([])).toBeUndefined();
  });
});

describe('client address', () => {
  it('is the socket peer when no proxy is trusted, whatever X-Forwarded-For claims', () => {
    expect(clientAddress('198.51.100.7', '203.0.113.1', 0)).toBe('198.51.100.7');
  });

  it('behind trusted proxies, is the entry that many places from the right', () => {
    expect(clientAddress('10.0.0.2', 'spoofed, 203.0.113.9', 1)).toBe('203.0.113.9');
    expect(clientAddress('10.0.0.2', 'spoofed, 203.0.113.9, 10.0.0.1', 2)).toBe('203.0.113.9');
  });

  it('falls back to the socket peer when the header is shorter than the proxy chain', () => {
    expect(clientAddress('10.0.0.2', '203.0.113.9', 2)).toBe('10.0.0.2');
    expect(clientAddress('10.0.0.2', undefined, 1)).toBe('10.0.0.2');
  });

  it('counts an IPv4-mapped IPv6 peer as the IPv4 address', () => {
    expect(clientAddress('::FFFF:127.0.0.1', undefined, 0)).toBe('127.0.0.1');
    expect(clientAddress('2001:db8::1', undefined, 0)).toBe('2001:db8:0:0::/64');
  });
});

describe('IPv6 clients', () => {
  it('count by their /64, however the address is written', () => {
    const bucket = clientAddress('2001:db8:1:2:aaaa::1', undefined, 0);
    expect(bucket).toBe('2001:db8:1:2::/64');
    expect(clientAddress('2001:0db8:0001:0002:ffff:ffff:ffff:fffe', undefined, 0)).toBe(bucket);
    expect(clientAddress('2001:db8:1:3::1', undefined, 0)).not.toBe(bucket);
    expect(clientAddress('::1', undefined, 0)).toBe('0:0:0:0::/64');
    expect(clientAddress('::ffff:192.0.2.7', undefined, 0)).toBe('192.0.2.7');
  });
});
