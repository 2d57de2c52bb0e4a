import { describe, expect, it } from 'vitest';
import { deadlineFor } from './deadline.js';

const requested = new Date('2026-12-01T09:30:00.000Z');

describe('deadlineFor', () => {
  it('adds the company default to the request time', () => {
    expect(deadlineFor(requested, { companyHours: 48 })?.toISOString()).toBe(
      '2026-12-03T09:30:00.000Z',
    );
  });

  it('lets a step’s own deadline win over the default', () => {
    expect(deadlineFor(requested, { companyHours: 48, stepHours: 4 })?.toISOString()).toBe(
      '2026-12-01T13:30:00.000Z',
    );
    expect(deadlineFor(requested, { companyHours: 48, stepHours: null })?.toISOString()).toBe(
      '2026-12-03T09:30:00.000Z',
    );
  });

  it('never escalates when the hours are 0', () => {
    expect(deadlineFor(requested, { companyHours: 0 })).toBeNull();
    expect(deadlineFor(requested, { companyHours: 48, stepHours: 0 })).toBeNull();
  });

  it('accepts fractions of an hour', () => {
    expect(deadlineFor(requested, { companyHours: 0.5 })?.toISOString()).toBe(
      '2026-12-01T10:00:00.000Z',
    );
  });
});
