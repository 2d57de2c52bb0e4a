import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { uuidv7Time } from './verify.js';

describe('uuidv7Time', () => {
  it('reads the Unix milliseconds a uuidv7 was made at', () => {
    const at = Date.parse('2026-11-24T07:00:00.123Z');
    expect(uuidv7Time(uuidv7({ msecs: at }))).toBe(at);
  });

  it('gives null for ids of other versions, or not ids at all', () => {
    expect(uuidv7Time('0197a000-0000-4000-8000-000000000001')).toBeNull();
    expect(uuidv7Time('not-an-id')).toBeNull();
  });
});
