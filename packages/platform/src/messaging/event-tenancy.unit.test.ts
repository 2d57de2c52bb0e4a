import { describe, expect, it } from 'vitest';
import { ForbiddenError } from '../errors.js';
import { refuseForeignEvent } from './event-tenancy.js';

describe('refuseForeignEvent', () => {
  it('accepts an event about something new or of the same company', () => {
    expect(() => refuseForeignEvent('a', undefined, 'person p')).not.toThrow();
    expect(() => refuseForeignEvent('a', 'a', 'person p')).not.toThrow();
  });

  it('refuses an event naming another company than the stored row', () => {
    expect(() => refuseForeignEvent('b', 'a', 'person p')).toThrow(ForbiddenError);
  });
});
